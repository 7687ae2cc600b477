import net from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startEmulator, type Emulator, type WorldInput } from "../../emulator/index.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { reserveWebIdentitySubjects } from "../../src/connections/index.js";
import { signInAsMember } from "../helpers/member.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

const PROD = "222222222222";
const AUDIENCE = "default/app-id/switchboard.aws.connector";
// One role per test, each trusting the subject of the connection name the test uses.
const NAMES = ["gone-web", "edit-web", "again-web", "old-web", "switch-web", "own-web"];

interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

function roleArn(name: string): string {
  return `arn:aws:iam::${PROD}:role/${name}`;
}

function world(issuer: string): WorldInput {
  const oidcHost = issuer.replace(/^https?:\/\//, "");
  return {
    regions: ["us-east-1"],
    accounts: [
      {
        id: PROD,
        name: "prod",
        oidcProviders: [{ url: issuer, clientIds: [AUDIENCE] }],
        roles: NAMES.map((name) => ({
          name,
          trust: {
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Principal: { Federated: `arn:aws:iam::${PROD}:oidc-provider/${oidcHost}` },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                  StringEquals: {
                    [`${oidcHost}:aud`]: AUDIENCE,
                    [`${oidcHost}:sub`]: `switchboard:connection/${name}`,
                  },
                },
              },
            ],
          },
          policies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
        })),
      },
    ],
  };
}

describeEachDatabase("web identity subjects are never handed to another connection", (suite) => {
  let t: TestApp;
  let emulator: Emulator;

  beforeAll(async () => {
    // The emulator fetches the JWKS from the issuer: the app listens on the issuer's port.
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    t = await createTestApp(suite.handle().db, { oidcIssuer: issuer });
    await t.app.listen({ port, host: "127.0.0.1" });
    emulator = await startEmulator({ world: world(issuer) });
    await t.call("PUT", "/api/v1/settings/outbound", {
      body: { allow: ["*.amazonaws.com", `127.0.0.1:${emulator.port}`] },
    });
  });
  afterAll(async () => {
    await t.close();
    await emulator.close();
  });

  function webIdentity(name: string, extra: Record<string, unknown> = {}) {
    return {
      name,
      method: "web_identity",
      roleArn: roleArn(name),
      endpoint: emulator.url,
      regions: ["us-east-1"],
      ...extra,
    };
  }

  async function create(name: string, token?: string, extra: Record<string, unknown> = {}) {
    return t.call("POST", "/api/v1/connections", {
      body: webIdentity(name, extra),
      ...(token === undefined ? {} : { token }),
    });
  }

  async function testConnection(name: string, token?: string) {
    const response = await t.call("POST", `/api/v1/connections/${name}/test`, {
      ...(token === undefined ? {} : { token }),
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<{ ok: boolean; arn: string | null; error: unknown }>();
  }

  function expectReserved(response: { statusCode: number; body: string }, name: string) {
    expect(response.statusCode, response.body).toBe(409);
    const { error } = JSON.parse(response.body) as ErrorBody;
    expect(error.code).toBe("WEB_IDENTITY_SUBJECT_RESERVED");
    expect(error.field).toBe("name");
    expect(error.message).toContain(`switchboard:connection/${name}`);
    expect(error.message).toMatch(/may still trust it/);
    expect(error.message).toContain('"confirmSubjectReuse": true');
  }

  it("refuses a member a subject reserved for roles another feature deployed (an organization's member roles); an org admin may take it", async () => {
    const { orgId } = await suite
      .handle()
      .db.selectFrom("orgs")
      .select("id as orgId")
      .executeTakeFirstOrThrow();
    await reserveWebIdentitySubjects(suite.handle().db, orgId, ["acme-333333333333"], {
      actor: "user:admin",
      now: new Date(),
    });
    const mona = await signInAsMember(t, "mona-reserved");
    expectReserved(await create("acme-333333333333", mona), "acme-333333333333");
    const taken = await create("acme-333333333333", undefined, { confirmSubjectReuse: true });
    expect(taken.statusCode, taken.body).toBe(201);
  });

  it("refuses a member who recreates a web_identity connection an admin deleted, with the same name and role, before anything is stored or sent", async () => {
    const created = await create("gone-web");
    expect(created.statusCode, created.body).toBe(201);
    expect(await testConnection("gone-web")).toMatchObject({ ok: true });
    expect((await t.call("DELETE", "/api/v1/connections/gone-web")).statusCode).toBe(204);

    const mallory = await signInAsMember(t, "mallory");
    emulator.resetCounters();
    expectReserved(await create("gone-web", mallory), "gone-web");
    expect((await t.call("GET", "/api/v1/connections/gone-web")).statusCode).toBe(404);
    // Nor may a draft be tested with that subject, nor set up.
    expectReserved(
      await t.call("POST", "/api/v1/connections/test", {
        token: mallory,
        body: webIdentity("gone-web"),
      }),
      "gone-web",
    );
    expectReserved(
      await t.call("POST", "/api/v1/connections/setup-documents", {
        token: mallory,
        body: webIdentity("gone-web"),
      }),
      "gone-web",
    );
    // Confirming is an admin's choice, not a member's.
    const confirmed = await create("gone-web", mallory, { confirmSubjectReuse: true });
    expect(confirmed.statusCode, confirmed.body).toBe(403);
    expect(confirmed.json<ErrorBody>().error).toMatchObject({
      code: "FORBIDDEN",
      field: "confirmSubjectReuse",
    });
    expect((await t.call("GET", "/api/v1/connections/gone-web")).statusCode).toBe(404);
    expect(emulator.counters().total).toBe(0);
  });

  it("refuses a member who deletes a web_identity connection they may only edit and recreates it to become its executor", async () => {
    expect((await create("edit-web")).statusCode).toBe(201);
    const rita = await signInAsMember(t, "rita");
    await t.call("PUT", "/api/v1/connections/edit-web/grants", {
      body: [{ principal: "user:rita", role: "editor" }],
    });
    expect(
      (await t.call("GET", "/api/v1/connections/edit-web", { token: rita })).json<{
        myRoles: string[];
      }>().myRoles,
    ).not.toContain("executor");
    expect(
      (await t.call("DELETE", "/api/v1/connections/edit-web", { token: rita })).statusCode,
    ).toBe(204);

    expectReserved(await create("edit-web", rita), "edit-web");
    expect((await t.call("GET", "/api/v1/connections/edit-web")).statusCode).toBe(404);
  });

  it("refuses a member who deletes and recreates their own web_identity connection, which keeps working until then", async () => {
    const sam = await signInAsMember(t, "sam");
    const created = await create("own-web", sam);
    expect(created.statusCode, created.body).toBe(201);
    expect(await testConnection("own-web", sam)).toMatchObject({ ok: true });
    // Edits keep the connection's own subject.
    const retagged = await t.call("PATCH", "/api/v1/connections/own-web", {
      token: sam,
      body: { tags: { team: "sre" } },
    });
    expect(retagged.statusCode, retagged.body).toBe(200);
    expect(await testConnection("own-web", sam)).toMatchObject({ ok: true });

    expect((await t.call("DELETE", "/api/v1/connections/own-web", { token: sam })).statusCode).toBe(
      204,
    );
    expectReserved(await create("own-web", sam), "own-web");
  });

  it("lets an org admin who confirms reuse a deleted connection's subject, audited, and the role accepts the new connection's token", async () => {
    expect((await create("again-web")).statusCode).toBe(201);
    expect((await t.call("DELETE", "/api/v1/connections/again-web")).statusCode).toBe(204);
    // Admins are asked too: the check is theirs to make.
    expectReserved(await create("again-web"), "again-web");

    const reused = await create("again-web", undefined, { confirmSubjectReuse: true });
    expect(reused.statusCode, reused.body).toBe(201);
    expect(await testConnection("again-web")).toMatchObject({ ok: true });
    // The subject is now this connection's: its edits need no confirmation.
    expect(
      (await t.call("PATCH", "/api/v1/connections/again-web", { body: { access: "view" } }))
        .statusCode,
    ).toBe(200);

    const audit = (
      await t.call("GET", "/api/v1/audit?action=connection.create&objectId=again-web")
    ).json<{ items: { action: string; objectId: string; detail: Record<string, unknown> }[] }>();
    const creates = audit.items.filter(
      (e) => e.action === "connection.create" && e.objectId === "again-web",
    );
    expect(creates.map((e) => e.detail.reusedSubject ?? "none")).toEqual(
      expect.arrayContaining(["switchboard:connection/again-web", "none"]),
    );
  });

  it("refuses a web_identity connection named after one renamed away, and lets the renamed one take its name back", async () => {
    expect((await create("old-web")).statusCode).toBe(201);
    const renamed = await t.call("PATCH", "/api/v1/connections/old-web", {
      body: { name: "moved-web", confirmRename: true },
    });
    expect(renamed.statusCode, renamed.body).toBe(200);

    const nora = await signInAsMember(t, "nora");
    expectReserved(await create("old-web", nora), "old-web");
    // Renaming another web_identity connection to it is refused the same way.
    const other = await t.call("POST", "/api/v1/connections", {
      token: nora,
      body: { ...webIdentity("nora-web"), roleArn: roleArn("old-web") },
    });
    expect(other.statusCode, other.body).toBe(201);
    expectReserved(
      await t.call("PATCH", "/api/v1/connections/nora-web", {
        token: nora,
        body: { name: "old-web", confirmRename: true },
      }),
      "old-web",
    );
    expect((await t.call("GET", "/api/v1/connections/old-web")).statusCode).toBe(404);

    const back = await t.call("PATCH", "/api/v1/connections/moved-web", {
      body: { name: "old-web", confirmRename: true },
    });
    expect(back.statusCode, back.body).toBe(200);
    expect(await testConnection("old-web")).toMatchObject({ ok: true });
  });

  it("lets another method's connection have a deleted web_identity connection's name, but never its subject: no edit switches it, no draft tests it", async () => {
    expect((await create("switch-web")).statusCode).toBe(201);
    expect((await t.call("DELETE", "/api/v1/connections/switch-web")).statusCode).toBe(204);
    const ambient = await t.call("POST", "/api/v1/connections", {
      body: { name: "switch-web", method: "ambient", endpoint: emulator.url },
    });
    expect(ambient.statusCode, ambient.body).toBe(201);
    const omar = await signInAsMember(t, "omar");
    await t.call("PUT", "/api/v1/connections/switch-web/grants", {
      body: [
        { principal: "user:omar", role: "editor" },
        { principal: "user:omar", role: "executor" },
      ],
    });

    emulator.resetCounters();
    const switched = await t.call("PATCH", "/api/v1/connections/switch-web", {
      token: omar,
      body: { method: "web_identity", roleArn: roleArn("switch-web") },
    });
    expect(switched.statusCode, switched.body).toBe(400);
    expectReserved(
      await t.call("POST", "/api/v1/connections/test?replacing=switch-web", {
        token: omar,
        body: webIdentity("switch-web"),
      }),
      "switch-web",
    );
    expect(emulator.counters().byOperation["sts:AssumeRoleWithWebIdentity"]).toBeUndefined();
    const shown = await t.call("GET", "/api/v1/connections/switch-web", { token: omar });
    expect(shown.json<{ method: string }>().method).toBe("ambient");
  });
});
