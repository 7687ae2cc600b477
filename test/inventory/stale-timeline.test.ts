import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import { waitForRun } from "../engine/engine-world.js";
import { DEV, inventoryStage, PROD, type InventoryStage } from "./inventory-world.js";

interface Page {
  items: { arn: string; region: string; goneAt: string | null }[];
  scopes: {
    region: string;
    type: string;
    stale: boolean;
    syncedAt: string | null;
    error: { code: string; message: string } | null;
  }[];
}

const TYPES = ["ec2.instance", "sns.topic"];
const topic = (region: string, name: string) => `arn:aws:sns:${region}:${PROD}:${name}`;

describeEachDatabase("inventory: a failing region, the timeline, a redrive", (suite) => {
  let stage: InventoryStage;

  beforeAll(async () => {
    stage = await inventoryStage(suite.handle().db);
  });
  afterAll(async () => {
    await stage.close();
  });

  async function sync() {
    const started = await stage.t.call("POST", "/api/v1/inventory/syncs", {
      body: { connections: ["prod", "dev"], types: TYPES },
    });
    expect(started.statusCode, started.body).toBe(202);
    const { id } = started.json<{ id: string }>();
    return { id, run: await waitForRun(stage.t, id) };
  }
  // prod's read role refused everything in eu-west-1, or not: a region that fails.
  const denyEu = (deny: boolean) => {
    const role = stage.emulator.world.accounts.get(PROD)?.roles.get("switchboard-read");
    if (role === undefined) throw new Error("no role");
    role.policies = role.policies.filter((p) => p.name !== "deny-eu");
    if (deny)
      role.policies.push({
        name: "deny-eu",
        document: {
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Deny",
              Action: "*",
              Resource: "*",
              Condition: { StringEquals: { "aws:RequestedRegion": "eu-west-1" } },
            },
          ],
        },
      });
    stage.emulator.authorizer.clear();
  };
  const page = async (query = "") => {
    const response = await stage.t.call(
      "GET",
      `/api/v1/inventory/resources?connection=prod&limit=1000${query}`,
    );
    expect(response.statusCode, response.body).toBe(200);
    return response.json<Page>();
  };
  const topics = () => {
    const account = stage.emulator.world.accounts.get(PROD);
    const sns = account?.resources["us-east-1"]?.sns as { Topics: { TopicArn: string }[] };
    return sns.Topics;
  };

  it("keeps a failed region's last picture, marked stale with why; shows what appeared and disappeared; a redrive lists only what failed", async () => {
    const first = await sync();
    expect(first.run.status).toBe("succeeded");
    const before = await page();
    const euTopic = topic("eu-west-1", "alerts-11");
    expect(before.items.map((r) => r.arn)).toContain(euTopic);

    // Between syncs: a topic is deleted and another created; prod's role is refused in eu-west-1.
    topics().splice(0, topics().length, { TopicArn: topic("us-east-1", "alerts-new") });
    denyEu(true);
    stage.emulator.resetCounters();
    const second = await sync();
    expect(second.run.status).toBe("partial");

    const after = await page();
    // eu-west-1 could not be seen: what it held stays, and its scopes say why.
    expect(after.items.find((r) => r.arn === euTopic)?.goneAt).toBeNull();
    const eu = after.scopes.filter((s) => s.region === "eu-west-1");
    expect(eu).toHaveLength(TYPES.length);
    for (const scope of eu) {
      expect(scope.stale).toBe(true);
      expect(scope.syncedAt).not.toBeNull();
      expect(scope.error?.code).toMatch(/AccessDenied|AuthorizationError|UnauthorizedOperation/);
    }
    expect(after.scopes.filter((s) => s.region === "us-east-1").every((s) => !s.stale)).toBe(true);
    // us-east-1 was seen: the deleted topic is gone (kept, with when), the new one there.
    expect(after.items.map((r) => r.arn)).toContain(topic("us-east-1", "alerts-new"));
    expect(after.items.map((r) => r.arn)).not.toContain(topic("us-east-1", "alerts-10"));
    const withGone = await page("&gone=true");
    expect(withGone.items.find((r) => r.arn === topic("us-east-1", "alerts-10"))?.goneAt).toEqual(
      expect.any(String),
    );

    const timeline = await stage.t.call("GET", "/api/v1/inventory/timeline?connection=prod");
    expect(timeline.statusCode, timeline.body).toBe(200);
    const changes = timeline.json<{ items: { change: string; arn: string; runId: string }[] }>()
      .items;
    expect(changes.filter((c) => c.runId === second.id)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ change: "appeared", arn: topic("us-east-1", "alerts-new") }),
        expect.objectContaining({ change: "disappeared", arn: topic("us-east-1", "alerts-10") }),
      ]),
    );
    expect(changes.filter((c) => c.runId === second.id)).toHaveLength(2);
    expect(changes.filter((c) => c.runId === first.id).map((c) => c.change)).toContain("appeared");

    // The role is fixed: a redrive lists eu-west-1 again, and nothing that had succeeded.
    denyEu(false);
    stage.emulator.resetCounters();
    const redrive = await stage.t.call("POST", `/api/v1/runs/${second.id}/redrive`);
    expect(redrive.statusCode, redrive.body).toBe(202);
    expect(redrive.json<{ targets: number }>().targets).toBe(2);
    const redone = await waitForRun(stage.t, second.id);
    expect(redone.status).toBe("succeeded");
    const calls = stage.emulator.counters().byAccountRegionOperation;
    expect(calls[`${PROD}|eu-west-1|sns:ListTopics`]).toBe(1);
    expect(calls[`${PROD}|us-east-1|sns:ListTopics`]).toBeUndefined();
    expect(calls[`${DEV}|eu-west-1|sns:ListTopics`]).toBeUndefined();
    expect((await page()).scopes.every((s) => !s.stale)).toBe(true);
  });
});
