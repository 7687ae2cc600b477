import { afterAll, beforeAll, expect, it } from "vitest";
import { startLocalServer } from "./local-server.js";
import { createAllowListStore, DEFAULT_ALLOW_LIST } from "../../src/outbound/index.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { createSecondOrg } from "../helpers/second-org.js";
import { signInAsMember } from "../helpers/member.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

interface Settings {
  allow: string[];
  isDefault: boolean;
  updatedAt: string | null;
  updatedBy: string | null;
}
interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

describeEachDatabase("outbound allow-list settings", (suite) => {
  let t: TestApp;
  let memberToken: string;
  let orgs = 0;
  /** An org of its own for a test that needs a list nobody changed, whatever ran before it. */
  const freshOrg = () => createSecondOrg(suite.handle().db, `fresh${++orgs}`);

  beforeAll(async () => {
    t = await createTestApp(suite.handle().db);
    memberToken = await signInAsMember(t, "mia");
  });
  afterAll(() => t.close());

  it("shows the AWS defaults to an org that never changed its list", async () => {
    const { token } = await freshOrg();
    const response = await t.call("GET", "/api/v1/settings/outbound", { token });
    expect(response.statusCode).toBe(200);
    expect(response.json<Settings>()).toEqual({
      allow: ["*.amazonaws.com", "*.amazonaws.com.cn", "*.api.aws"],
      isDefault: true,
      updatedAt: null,
      updatedBy: null,
    });
  });

  it("refuses members: the list is an admin setting", async () => {
    const before = (await t.call("GET", "/api/v1/settings/outbound")).json<Settings>();
    const get = await t.call("GET", "/api/v1/settings/outbound", { token: memberToken });
    const put = await t.call("PUT", "/api/v1/settings/outbound", {
      token: memberToken,
      body: { allow: ["*"] },
    });
    for (const response of [get, put]) {
      expect(response.statusCode).toBe(403);
      expect(response.json<ErrorBody>().error.code).toBe("FORBIDDEN");
    }
    expect((await t.call("GET", "/api/v1/settings/outbound")).json<Settings>()).toEqual(before);
  });

  it("replaces the list, normalised and without duplicates, and audits before and after", async () => {
    const before = (await t.call("GET", "/api/v1/settings/outbound")).json<Settings>().allow;
    const allow = [...DEFAULT_ALLOW_LIST, "127.0.0.1:5000", "LocalHost:4566", "localhost:4566"];
    const response = await t.call("PUT", "/api/v1/settings/outbound", { body: { allow } });
    expect(response.statusCode).toBe(200);
    const saved = response.json<Settings>();
    expect(saved).toMatchObject({
      allow: [...DEFAULT_ALLOW_LIST, "127.0.0.1:5000", "localhost:4566"],
      isDefault: false,
      updatedBy: "user:admin",
    });
    expect((await t.call("GET", "/api/v1/settings/outbound")).json<Settings>()).toEqual(saved);

    const audit = await t.call("GET", "/api/v1/audit?action=settings.outbound.update");
    const [event] = audit.json<{ items: { actor: string; detail: unknown; outcome: string }[] }>()
      .items;
    expect(event).toMatchObject({
      actor: "user:admin",
      outcome: "success",
      detail: { before, after: saved.allow },
    });
  });

  it("answers 400 naming the index of a bad pattern and what is expected", async () => {
    const before = (await t.call("GET", "/api/v1/settings/outbound")).json<Settings>();
    const cases: [string[], string, RegExp][] = [
      [["*.amazonaws.com", "ok.example.com", "https://x.example.com"], "allow.2", /not a URL/],
      [["*"], "allow.0", /every host/],
      [["a.example.com:70000"], "allow.0", /port from 1 to 65535/],
      [["a.example.com", "169.254.169.254"], "allow.1", /can never be allowed/],
      [["[fd00:ec2::254]:80"], "allow.0", /can never be allowed/],
    ];
    for (const [allow, field, message] of cases) {
      const response = await t.call("PUT", "/api/v1/settings/outbound", { body: { allow } });
      expect(response.statusCode, allow.join(" ")).toBe(400);
      const { error } = response.json<ErrorBody>();
      expect(error.code).toBe("INVALID_REQUEST");
      expect(error.field).toBe(field);
      expect(error.message).toMatch(message);
    }
    const unknown = await t.call("PUT", "/api/v1/settings/outbound", {
      body: { allow: [], deny: [] },
    });
    expect(unknown.statusCode).toBe(400);
    expect((await t.call("GET", "/api/v1/settings/outbound")).json<Settings>()).toEqual(before);
  });

  it("keeps each org's list its own", async () => {
    const otherOrg = await freshOrg();
    await t.call("PUT", "/api/v1/settings/outbound", { body: { allow: ["mine.example.com"] } });
    const theirs = await t.call("GET", "/api/v1/settings/outbound", { token: otherOrg.token });
    expect(theirs.json<Settings>().isDefault).toBe(true);
    const store = createAllowListStore({ db: suite.handle().db, clock: { now: () => new Date() } });
    expect((await store.get(otherOrg.orgId)).texts).toEqual([...DEFAULT_ALLOW_LIST]);
  });

  it("serves lists to the outbound layer from a short cache that a change invalidates", async () => {
    let nowMs = Date.now();
    const store = createAllowListStore({
      db: suite.handle().db,
      clock: { now: () => new Date(nowMs) },
      ttlMs: 30_000,
    });
    const { token, orgId } = await freshOrg();
    expect((await store.get(orgId)).texts).toEqual([...DEFAULT_ALLOW_LIST]);
    await t.call("PUT", "/api/v1/settings/outbound", { token, body: { allow: ["a.example.com"] } });
    // Another process's change is seen once the TTL passes …
    expect((await store.get(orgId)).texts).toEqual([...DEFAULT_ALLOW_LIST]);
    nowMs += 30_001;
    expect((await store.get(orgId)).texts).toEqual(["a.example.com"]);
    // … and this process's change at once.
    await t.call("PUT", "/api/v1/settings/outbound", { token, body: { allow: [] } });
    store.invalidate(orgId);
    expect((await store.get(orgId)).texts).toEqual([]);
  });

  it("applies a PUT to the app's outbound layer at once", async () => {
    const server = await startLocalServer();
    try {
      const org = (await t.call("GET", "/api/v1/whoami")).json<{ org: string }>().org;
      const orgId = (
        await suite
          .handle()
          .db.selectFrom("orgs")
          .select("id")
          .where("name", "=", org)
          .executeTakeFirstOrThrow()
      ).id;
      const url = `http://127.0.0.1:${server.port}/`;
      await t.call("PUT", "/api/v1/settings/outbound", {
        body: { allow: [...DEFAULT_ALLOW_LIST] },
      });
      await expect(t.outbound.request(orgId, url)).rejects.toMatchObject({
        code: "OUTBOUND_REFUSED",
      });
      const put = await t.call("PUT", "/api/v1/settings/outbound", {
        body: { allow: [...DEFAULT_ALLOW_LIST, `127.0.0.1:${server.port}`] },
      });
      expect(put.statusCode).toBe(200);
      expect((await t.outbound.request(orgId, url)).status).toBe(200);
      await t.call("PUT", "/api/v1/settings/outbound", {
        body: { allow: [...DEFAULT_ALLOW_LIST] },
      });
      await expect(t.outbound.request(orgId, url)).rejects.toMatchObject({
        code: "OUTBOUND_REFUSED",
      });
      expect(server.requests).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});
