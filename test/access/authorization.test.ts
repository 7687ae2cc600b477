import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import { createSecondOrg } from "../helpers/second-org.js";
import { signInAsMember } from "../helpers/member.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

describeEachDatabase("authorization", (suite) => {
  let t: TestApp;
  let memberToken: string;
  let otherOrgToken: string;

  beforeAll(async () => {
    t = await createTestApp(suite.handle().db);
    memberToken = await signInAsMember(t, "mia", ["sre"]);
    ({ token: otherOrgToken } = await createSecondOrg(suite.handle().db));
  });
  afterAll(() => t.close());

  it("lets a member read people but refuses every admin route with 403", async () => {
    expect((await t.call("GET", "/api/v1/users", { token: memberToken })).statusCode).toBe(200);
    expect((await t.call("GET", "/api/v1/whoami", { token: memberToken })).json()).toMatchObject({
      user: { name: "mia", role: "member" },
      teams: ["sre"],
    });
    const attempts = [
      t.call("POST", "/api/v1/users", { token: memberToken, body: { name: "eve" } }),
      t.call("PATCH", "/api/v1/users/mia", { token: memberToken, body: { role: "admin" } }),
      t.call("DELETE", "/api/v1/users/admin", { token: memberToken }),
      t.call("POST", "/api/v1/teams", { token: memberToken, body: { name: "evil" } }),
      t.call("PUT", "/api/v1/teams/sre/members/admin", { token: memberToken }),
      t.call("DELETE", "/api/v1/teams/sre", { token: memberToken }),
      t.call("GET", "/api/v1/audit", { token: memberToken }),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.statusCode).toBe(403);
      expect(response.json<{ error: { code: string } }>().error.code).toBe("FORBIDDEN");
    }
    const mia = await t.call("GET", "/api/v1/users/mia");
    expect(mia.json<{ role: string }>().role).toBe("member");
    // A refusal is audited by an onResponse hook, after its answer was sent: wait for all six.
    await expect
      .poll(async () => {
        const denied = await t.call("GET", "/api/v1/audit?actor=user:mia&outcome=denied&limit=50");
        return denied.json<{ items: unknown[] }>().items.length;
      })
      .toBe(6);
  });

  it("hides another org's objects: they answer 404, not 403", async () => {
    for (const url of ["/api/v1/users/carol", "/api/v1/teams/secret-team"]) {
      const response = await t.call("GET", url);
      expect(response.statusCode).toBe(404);
      expect(response.json<{ error: { code: string } }>().error.code).toBe("NOT_FOUND");
    }
    expect((await t.call("DELETE", "/api/v1/users/carol")).statusCode).toBe(404);
    const theirUsers = await t.call("GET", "/api/v1/users", { token: otherOrgToken });
    expect(theirUsers.json<{ items: { name: string }[] }>().items.map((u) => u.name)).toEqual([
      "carol",
    ]);
    expect((await t.call("GET", "/api/v1/users/mia", { token: otherOrgToken })).statusCode).toBe(
      404,
    );
    const theirTokens = await t.call("GET", "/api/v1/tokens?all=true", { token: otherOrgToken });
    expect(
      theirTokens.json<{ items: { user: string }[] }>().items.every((i) => i.user === "carol"),
    ).toBe(true);
  });

  it("refuses a revoked token", async () => {
    const created = await t.call("POST", "/api/v1/tokens", {
      token: memberToken,
      body: { name: "short-lived" },
    });
    const { token, secret } = created.json<{ token: { id: string }; secret: string }>();
    expect((await t.call("GET", "/api/v1/whoami", { token: secret })).statusCode).toBe(200);
    expect(
      (await t.call("DELETE", `/api/v1/tokens/${token.id}`, { token: memberToken })).statusCode,
    ).toBe(200);
    const refused = await t.call("GET", "/api/v1/whoami", { token: secret });
    expect(refused.statusCode).toBe(401);
    expect(refused.json<{ error: { code: string } }>().error.code).toBe("TOKEN_REVOKED");
  });

  it("does not let a member revoke someone else's token", async () => {
    const list = await t.call("GET", "/api/v1/tokens");
    const adminTokenId = list
      .json<{ items: { id: string; name: string }[] }>()
      .items.find((i) => i.name === "bootstrap")?.id;
    expect(adminTokenId).toBeDefined();
    expect(
      (await t.call("DELETE", `/api/v1/tokens/${adminTokenId}`, { token: memberToken })).statusCode,
    ).toBe(404);
    expect((await t.call("GET", "/api/v1/whoami")).statusCode).toBe(200);
  });

  it("refuses an expired token", async () => {
    let now = new Date();
    const clocked = await createTestApp(suite.handle().db, { clock: { now: () => now } });
    try {
      const created = await clocked.call("POST", "/api/v1/tokens", {
        body: { name: "one-day", expiresInDays: 1 },
      });
      const secret = created.json<{ secret: string }>().secret;
      expect((await clocked.call("GET", "/api/v1/whoami", { token: secret })).statusCode).toBe(200);
      now = new Date(now.getTime() + 86_400_000 + 1000);
      const refused = await clocked.call("GET", "/api/v1/whoami", { token: secret });
      expect(refused.statusCode).toBe(401);
      expect(refused.json<{ error: { code: string } }>().error.code).toBe("TOKEN_EXPIRED");
    } finally {
      await clocked.close();
    }
  });

  it("keeps the org's last admin", async () => {
    const response = await t.call("PATCH", "/api/v1/users/admin", { body: { role: "member" } });
    expect(response.statusCode).toBe(409);
    expect(response.json<{ error: { code: string } }>().error.code).toBe("LAST_ADMIN");
    expect((await t.call("DELETE", "/api/v1/users/admin")).statusCode).toBe(409);
  });
});
