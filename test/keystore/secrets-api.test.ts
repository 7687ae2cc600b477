import fs from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { SwitchboardError } from "../../src/errors.js";
import { useSecret } from "../../src/keystore/index.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { signInAsMember } from "../helpers/member.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

const VALUE = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY";
const REPLACED = "second-value-7d1f0c2a9e";
const system = { orgId: "", actor: "system", sourceIp: null, requestId: null };

describeEachDatabase("key store API", (suite) => {
  let t: TestApp;
  let memberToken: string;
  let orgId: string;

  beforeAll(async () => {
    t = await createTestApp(suite.handle().db);
    orgId = (
      await suite
        .handle()
        .db.selectFrom("orgs")
        .select("id")
        .where("name", "=", "default")
        .executeTakeFirstOrThrow()
    ).id;
    memberToken = await signInAsMember(t, "max", ["ops"]);
    await t.call("POST", "/api/v1/projects", { body: { name: "ops", members: ["team:ops"] } });
    await t.call("POST", "/api/v1/projects", { body: { name: "billing" } });
  });
  afterAll(() => t.close());

  const use = (path: string, purpose = "test") =>
    useSecret(t.keystore, orgId, path, { auditContext: { ...system, orgId }, purpose });
  // Each test stores the secrets it reads, at a path of its own: tests run in any order.
  async function store(path: string, value: string): Promise<void> {
    const created = await t.call("POST", "/api/v1/secrets", { body: { path, value } });
    expect(created.statusCode, created.body).toBe(201);
  }

  it("stores a secret and answers with metadata only", async () => {
    const response = await t.call("POST", "/api/v1/secrets", {
      body: { path: "keys/system/aws-prod", value: VALUE },
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({
      path: "keys/system/aws-prod",
      type: "password",
      scope: "system",
      project: null,
      createdBy: "user:admin",
    });
    expect(response.body).not.toContain(VALUE);
    expect(await use("keys/system/aws-prod")).toBe(VALUE);
  });

  it("refuses to replace without replace: true, and keeps the value", async () => {
    await store("keys/system/replaced", VALUE);
    const again = await t.call("POST", "/api/v1/secrets", {
      body: { path: "keys/system/replaced", value: "other" },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json<{ error: { field: string } }>().error.field).toBe("path");
    expect(await use("keys/system/replaced")).toBe(VALUE);
    const replaced = await t.call("POST", "/api/v1/secrets", {
      body: { path: "keys/system/replaced", value: REPLACED, replace: true },
    });
    expect(replaced.statusCode).toBe(200);
    expect(await use("keys/system/replaced")).toBe(REPLACED);
  });

  it("has no route that returns a value", async () => {
    await store("keys/system/never-shown", VALUE);
    const document = (await t.call("GET", "/openapi.json")).json<{
      paths: Record<string, Record<string, unknown>>;
    }>();
    const urls = Object.entries(document.paths)
      .filter(([, methods]) => "get" in methods)
      .map(([p]) =>
        p.replace("{name}", "ops").replace("{id}", "00000000-0000-7000-8000-000000000000"),
      );
    urls.push(
      "/api/v1/secrets/keys/system/never-shown",
      "/api/v1/secrets?prefix=keys/",
      "/.well-known/jwks.json",
      "/metrics",
    );
    for (const url of urls) {
      const response = await t.call("GET", url);
      expect(response.body, url).not.toContain(VALUE);
    }
    expect((await t.call("GET", "/api/v1/secrets/keys/system/never-shown")).statusCode).toBe(404);
  });

  it("keeps values out of the database file, error messages and logs", async () => {
    await store("keys/system/at-rest", VALUE);
    await store("keys/system/at-rest-replaced", "first-value-5b2e");
    const replaced = await t.call("POST", "/api/v1/secrets", {
      body: { path: "keys/system/at-rest-replaced", value: REPLACED, replace: true },
    });
    expect(replaced.statusCode).toBe(200);
    const bad = await t.call("POST", "/api/v1/secrets", {
      body: { path: "keys/nowhere/x", value: VALUE },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).not.toContain(VALUE);
    const badKey = await t.call("POST", "/api/v1/secrets", {
      body: { path: "keys/system/k", type: "key-pair", value: VALUE },
    });
    expect(badKey.statusCode).toBe(400);
    expect(badKey.json<{ error: { field: string } }>().error.field).toBe("value");
    expect(badKey.body).not.toContain(VALUE);
    expect(t.logs.join("")).not.toContain(VALUE);

    const database = suite.testDatabase();
    let stored: string;
    if (database.config.dialect === "sqlite") {
      stored = [database.location, `${database.location}-wal`]
        .filter((f) => fs.existsSync(f))
        .map((f) => fs.readFileSync(f).toString("latin1"))
        .join("");
    } else {
      const client = new pg.Client({ connectionString: database.config.url });
      await client.connect();
      stored = (await client.query("SELECT row_to_json(s)::text AS j FROM secrets s")).rows
        .map((r: { j: string }) => r.j)
        .join("\n");
      await client.end();
    }
    expect(stored).toContain("keys/system/at-rest");
    expect(stored).not.toContain(VALUE);
    expect(stored).not.toContain(REPLACED);
  });

  it("audits every use with its purpose", async () => {
    await store("keys/system/audited", VALUE);
    const lastUsedAt = async () =>
      (await t.call("GET", "/api/v1/secrets?prefix=keys/system/"))
        .json<{ items: { path: string; lastUsedAt: string | null }[] }>()
        .items.find((s) => s.path === "keys/system/audited")?.lastUsedAt;
    expect(await lastUsedAt()).toBeNull();
    await use("keys/system/audited");
    await use("keys/system/audited", "rotation check");
    const events = (
      await t.call("GET", "/api/v1/audit?action=secret.use&objectId=keys/system/audited")
    ).json<{ items: { detail: { purpose: string } }[] }>();
    expect(events.items.map((e) => e.detail.purpose).sort()).toEqual(["rotation check", "test"]);
    expect(await lastUsedAt()).not.toBeNull();
  });

  it("fails to decrypt a ciphertext moved to another row", async () => {
    await store("keys/system/moved-from", VALUE);
    await store("keys/system/other", "other-value-1234");
    const db = suite.handle().db;
    const source = await db
      .selectFrom("secrets")
      .selectAll()
      .where("path", "=", "keys/system/moved-from")
      .executeTakeFirstOrThrow();
    await db
      .updateTable("secrets")
      .set({
        ciphertext: source.ciphertext,
        wrapped_key: source.wrapped_key,
        master_key_id: source.master_key_id,
      })
      .where("path", "=", "keys/system/other")
      .execute();
    const error: unknown = await use("keys/system/other").then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SwitchboardError);
    expect(error).toMatchObject({ code: "SECRET_UNREADABLE" });
    expect((error as Error).message).toMatch(/does not belong to this row/);
    expect((error as Error).message).not.toContain(VALUE);
  });

  it("neither replaces nor deletes a secret Switchboard keeps for itself (a webhook's, the issuer's keys)", async () => {
    const saved = await t.call("POST", "/api/v1/workflows", {
      body: "name: hooked\nsteps:\n  - id: one\n    transform: ${{ 1 }}\ntriggers:\n  - webhook: {}\n",
      headers: { "content-type": "application/yaml" },
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const listed = await t.call("GET", "/api/v1/secrets?prefix=keys/system/workflows/");
    const paths = listed.json<{ items: { path: string }[] }>().items.map((i) => i.path);
    expect(paths).toHaveLength(1);
    const path = paths[0] ?? "";
    const refusals = [
      await t.call("DELETE", `/api/v1/secrets/${path}`),
      await t.call("POST", "/api/v1/secrets", { body: { path, value: "mine", replace: true } }),
      await t.call("DELETE", "/api/v1/secrets/keys/system/oidc/some-kid"),
    ];
    for (const refused of refusals) {
      expect(refused.statusCode, refused.body).toBe(409);
      expect(refused.json()).toMatchObject({ error: { code: "MANAGED_SECRET", field: "path" } });
    }
    expect(refusals[0]?.json<{ error: { message: string } }>().error.message).toContain(
      "/webhook/rotate",
    );
    // Still there, and still the workflow's.
    const after = await t.call("GET", "/api/v1/secrets?prefix=keys/system/workflows/");
    expect(after.json<{ items: { path: string }[] }>().items.map((i) => i.path)).toEqual([path]);
    expect(await use(path)).toMatch(/^whsec_/);
  });

  it("leaves exactly one whole value after concurrent replaces", async () => {
    const values = Array.from({ length: 12 }, (_, i) => `concurrent-value-${i}-${"x".repeat(i)}`);
    await t.call("POST", "/api/v1/secrets", {
      body: { path: "keys/system/race", value: "initial-value" },
    });
    const responses = await Promise.all(
      values.map((value) =>
        t.call("POST", "/api/v1/secrets", {
          body: { path: "keys/system/race", value, replace: true },
        }),
      ),
    );
    for (const r of responses) expect(r.statusCode).toBe(200);
    expect(values).toContain(await use("keys/system/race"));
    const rows = await suite
      .handle()
      .db.selectFrom("secrets")
      .select("id")
      .where("path", "=", "keys/system/race")
      .execute();
    expect(rows).toHaveLength(1);
  });

  it("scopes project secrets to the project's members", async () => {
    await store("keys/system/admins-only", VALUE);
    const own = await t.call("POST", "/api/v1/secrets", {
      token: memberToken,
      body: { path: "keys/project/ops/db", value: "ops-db-password" },
    });
    expect(own.statusCode).toBe(201);
    const foreign = await t.call("POST", "/api/v1/secrets", {
      token: memberToken,
      body: { path: "keys/project/billing/db", value: "x-1234" },
    });
    expect(foreign.statusCode).toBe(404);
    const systemWrite = await t.call("POST", "/api/v1/secrets", {
      token: memberToken,
      body: { path: "keys/system/mine", value: "x-1234" },
    });
    expect(systemWrite.statusCode).toBe(403);
    const visible = (await t.call("GET", "/api/v1/secrets", { token: memberToken })).json<{
      items: { path: string }[];
    }>();
    expect(visible.items.map((s) => s.path)).toEqual(["keys/project/ops/db"]);
    expect(
      (await t.call("DELETE", "/api/v1/secrets/keys/system/admins-only", { token: memberToken }))
        .statusCode,
    ).toBe(403);
    expect(await use("keys/system/admins-only")).toBe(VALUE);
  });

  it("moves a project's secrets when the project is renamed, and refuses to delete it while it holds any", async () => {
    // A project of its own: the other tests' projects stay as beforeAll made them.
    const project = await t.call("POST", "/api/v1/projects", { body: { name: "infra" } });
    expect(project.statusCode, project.body).toBe(201);
    await store("keys/project/infra/db", "infra-db-password");
    const replaced = await t.call("POST", "/api/v1/secrets", {
      body: { path: "keys/project/infra/db", value: "infra-db-password-2", replace: true },
    });
    expect(replaced.statusCode).toBe(200);
    const renamed = await t.call("PATCH", "/api/v1/projects/infra", { body: { name: "platform" } });
    expect(renamed.statusCode).toBe(200);
    expect(await use("keys/project/platform/db")).toBe("infra-db-password-2");
    expect(
      (await t.call("GET", "/api/v1/secrets?prefix=keys/project/infra/")).json(),
    ).toMatchObject({ items: [] });
    const refused = await t.call("DELETE", "/api/v1/projects/platform");
    expect(refused.statusCode).toBe(409);
    expect((await t.call("DELETE", "/api/v1/secrets/keys/project/platform/db")).statusCode).toBe(
      204,
    );
    expect((await t.call("DELETE", "/api/v1/projects/platform")).statusCode).toBe(204);
    const audit = (await t.call("GET", "/api/v1/audit?action=secret.*")).json<{
      items: { action: string }[];
    }>();
    expect(audit.items.map((e) => e.action)).toEqual(
      expect.arrayContaining(["secret.create", "secret.replace", "secret.delete", "secret.use"]),
    );
  });
});
