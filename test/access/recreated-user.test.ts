import { createHmac } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import { signInAsMember } from "../helpers/member.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

function sign(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

// Runs and workflows record who acted by name (`user:<name>`, as the audit log does); a user
// deleted and created again under the same name must not be taken for the old one.
describeEachDatabase("a user created again under a deleted user's name", (suite) => {
  let t: TestApp;
  let counter = 0;
  const unique = (base: string) => `${base}-${++counter}-${suite.dialect.slice(0, 2)}`;

  beforeAll(async () => {
    t = await createTestApp(suite.handle().db);
  });
  afterAll(() => t.close());

  async function finished(id: string, token: string): Promise<string> {
    for (;;) {
      const run = await t.call("GET", `/api/v1/runs/${id}`, { token });
      expect(run.statusCode, run.body).toBe(200);
      const status = run.json<{ status: string }>().status;
      if (!["queued", "running"].includes(status)) return status;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it("does not see the old one's runs, change their org workflow, or have its webhook runs execute as them", async () => {
    const name = unique("rita");
    const rita = await signInAsMember(t, name);
    const workflow = unique("count-things");
    const definition = `name: ${workflow}
steps:
  - id: count
    transform: \${{ 1 + 2 }}
triggers:
  - webhook: {}
`;
    const saved = await t.call("POST", "/api/v1/workflows", {
      token: rita,
      body: definition,
      headers: { "content-type": "application/yaml" },
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const secret = saved.json<{ webhookSecret?: string }>().webhookSecret ?? "";
    expect(secret).not.toBe("");
    const started = await t.call("POST", `/api/v1/workflows/${workflow}/runs`, {
      token: rita,
      body: { inputs: {} },
    });
    expect(started.statusCode, started.body).toBe(202);
    const runId = started.json<{ id: string }>().id;
    expect(await finished(runId, rita)).toBe("succeeded");

    const body = JSON.stringify({ inputs: {} });
    // Each delivery signs another timestamp: the same one twice is refused as a replay.
    const deliver = (secondsAgo: number) => {
      const now = String(Math.floor(Date.now() / 1000) - secondsAgo);
      return t.call("POST", `/api/v1/hooks/default/${workflow}`, {
        token: null,
        body,
        headers: {
          "content-type": "application/json",
          "x-switchboard-timestamp": now,
          "x-switchboard-signature": sign(secret, now, body),
        },
      });
    };
    const hooked = await deliver(5);
    expect(hooked.statusCode, hooked.body).toBe(202);
    expect(await finished(hooked.json<{ id: string }>().id, rita)).toBe("succeeded");

    expect((await t.call("DELETE", `/api/v1/users/${name}`)).statusCode).toBe(204);
    const again = await signInAsMember(t, name);

    const runs = await t.call("GET", "/api/v1/runs?limit=500", { token: again });
    expect(runs.statusCode, runs.body).toBe(200);
    expect(runs.json<{ items: { id: string }[] }>().items.map((r) => r.id)).not.toContain(runId);
    expect((await t.call("GET", `/api/v1/runs/${runId}`, { token: again })).statusCode).toBe(404);
    // The old user's runs are still there for the admins.
    expect((await t.call("GET", `/api/v1/runs/${runId}`)).statusCode).toBe(200);

    const resave = await t.call("POST", "/api/v1/workflows", {
      token: again,
      body: `${definition}description: taken over\n`,
      headers: { "content-type": "application/yaml" },
    });
    expect(resave.statusCode, resave.body).toBe(403);

    // Its last editor no longer exists: the webhook's run is refused, not run as the newcomer.
    const refused = await deliver(0);
    expect(refused.statusCode, refused.body).toBe(403);
    expect(refused.body).toContain("no longer exists");

    // A run the new user starts is theirs.
    const own = unique("own-count");
    const ownSaved = await t.call("POST", "/api/v1/workflows", {
      token: again,
      body: `name: ${own}\nsteps:\n  - id: count\n    transform: \${{ 1 }}\n`,
      headers: { "content-type": "application/yaml" },
    });
    expect(ownSaved.statusCode, ownSaved.body).toBe(200);
    const ownRun = await t.call("POST", `/api/v1/workflows/${own}/runs`, {
      token: again,
      body: { inputs: {} },
    });
    expect(ownRun.statusCode, ownRun.body).toBe(202);
    expect(await finished(ownRun.json<{ id: string }>().id, again)).toBe("succeeded");
  });
});
