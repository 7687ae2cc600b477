import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

interface Event {
  actor: string;
  action: string;
  objectType: string | null;
  objectId: string | null;
  outcome: string;
  sourceIp: string | null;
  requestId: string | null;
  detail: Record<string, unknown> | null;
}

describeEachDatabase("audit log", (suite) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(suite.handle().db);
  });
  afterAll(() => t.close());

  async function events(query = ""): Promise<Event[]> {
    const response = await t.call("GET", `/api/v1/audit?limit=500${query}`);
    expect(response.statusCode).toBe(200);
    return response.json<{ items: Event[] }>().items;
  }

  it("records each mutation with actor, object, source address and request id", async () => {
    const steps = [
      await t.call("POST", "/api/v1/users", {
        body: { name: "ann", password: "ann-password-123" },
      }),
      await t.call("PATCH", "/api/v1/users/ann", {
        body: { displayName: "Ann", password: "ann-password-456" },
      }),
      await t.call("POST", "/api/v1/teams", { body: { name: "db", members: ["ann"] } }),
      await t.call("DELETE", "/api/v1/teams/db/members/ann"),
      await t.call("PUT", "/api/v1/teams/db/members/ann"),
      await t.call("DELETE", "/api/v1/teams/db"),
      await t.call("POST", "/api/v1/tokens", { body: { name: "deploy" } }),
      await t.call("POST", "/api/v1/auth/login", {
        token: null,
        body: { username: "ann", password: "ann-password-456" },
      }),
      await t.call("DELETE", "/api/v1/users/ann"),
    ];
    for (const step of steps) expect(step.statusCode).toBeLessThan(300);
    const tokenId = steps[6]?.json<{ token: { id: string } }>().token.id ?? "";
    await t.call("DELETE", `/api/v1/tokens/${tokenId}`);

    const log = (await events()).reverse();
    const summary = log.map((e) => `${e.actor} ${e.action} ${e.objectId ?? ""} ${e.outcome}`);
    expect(summary).toEqual(
      expect.arrayContaining([
        "user:admin user.create ann success",
        "user:admin user.update ann success",
        "user:admin team.create db success",
        "user:admin team.member.remove db success",
        "user:admin team.member.add db success",
        "user:admin team.delete db success",
        `user:admin token.create ${tokenId} success`,
        "user:ann auth.login ann success",
        "user:admin user.delete ann success",
        `user:admin token.revoke ${tokenId} success`,
      ]),
    );
    const update = log.find((e) => e.action === "user.update");
    expect(update?.detail).toEqual({ fields: ["displayName", "password"] });
    expect(JSON.stringify(log)).not.toContain("ann-password");
    for (const event of log.filter((e) => e.actor === "user:admin")) {
      expect(event.sourceIp).toBe("127.0.0.1");
      expect(event.requestId).toMatch(/^req_/);
    }
  });

  it("records a failed change as a failure", async () => {
    expect((await t.call("DELETE", "/api/v1/users/ghost")).statusCode).toBe(404);
    const [event] = await events("&outcome=failure");
    expect(event).toMatchObject({
      actor: "user:admin",
      action: "DELETE /api/v1/users/:name",
      detail: { status: 404 },
    });
  });

  it("filters by action prefix, actor and time, and pages newest first", async () => {
    for (const name of ["t1", "t2", "t3", "t4", "t5"])
      await t.call("POST", "/api/v1/teams", { body: { name } });
    const teamEvents = await events("&action=team.*");
    expect(teamEvents.every((e) => e.action.startsWith("team."))).toBe(true);
    expect(teamEvents.slice(0, 5).map((e) => e.objectId)).toEqual(["t5", "t4", "t3", "t2", "t1"]);
    expect(await events("&actor=user:nobody")).toEqual([]);
    expect(
      await events(`&since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`),
    ).toEqual([]);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Event[]; nextCursor: string | null } = (
        await t.call(
          "GET",
          `/api/v1/audit?action=team.create&limit=2${cursor === null ? "" : `&cursor=${cursor}`}`,
        )
      ).json();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((e) => e.objectId ?? ""));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen.slice(0, 5)).toEqual(["t5", "t4", "t3", "t2", "t1"]);
    expect(new Set(seen).size).toBe(seen.length);
  });
});
