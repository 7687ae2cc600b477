import { afterAll, beforeAll, expect, it } from "vitest";
import { systemClock } from "../../src/clock.js";
import { storeListing, type SyncScope } from "../../src/inventory/store-listing.js";
import type { Listing } from "../../src/inventory/resource-type.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { inventoryStage, PROD, type InventoryStage } from "./inventory-world.js";

// Listings that finish together are stored in one transaction; these pin down what each still
// gets on its own: its counts, its edges, and its own failure.
describeEachDatabase("inventory: listings stored together", (suite) => {
  let stage: InventoryStage;
  let scopeOf: (region: string, type: string) => SyncScope;

  beforeAll(async () => {
    const { db } = suite.handle();
    stage = await inventoryStage(db);
    const prod = await db
      .selectFrom("connections")
      .select(["id", "org_id"])
      .where("name", "=", "prod")
      .executeTakeFirstOrThrow();
    scopeOf = (region, type) => ({
      orgId: prod.org_id,
      connectionId: prod.id,
      accountId: PROD,
      region,
      type,
      runId: "run-test",
    });
  });
  afterAll(async () => {
    await stage.close();
  });

  const queue = (region: string, n: number) => `arn:aws:sqs:${region}:${PROD}:q${n}`;
  const topic = (region: string, n: number) => `arn:aws:sns:${region}:${PROD}:t${n}`;
  const store = (region: string, type: string, listing: Listing) =>
    storeListing(suite.handle().db, systemClock, scopeOf(region, type), listing, {
      total: () => 3,
    });
  const edgesOf = (region: string, type: string) =>
    suite
      .handle()
      .db.selectFrom("inventory_edges")
      .select(["from_arn", "to_arn", "kind"])
      .where("region", "=", region)
      .where("type", "=", type)
      .orderBy("to_arn")
      .execute();

  it("stores each listing with its own counts and edges, and replaces only edges that changed", async () => {
    const r = "ap-south-1";
    const first = await Promise.all([
      store(r, "sqs.queue", {
        resources: [{ arn: queue(r, 1) }, { arn: queue(r, 2) }],
        edges: [{ from: queue(r, 1), to: topic(r, 1), kind: "subscribes" }],
      }),
      store(r, "sns.topic", { resources: [{ arn: topic(r, 1) }], edges: [] }),
    ]);
    expect(first).toEqual([
      { type: "sqs.queue", resources: 2, appeared: 2, disappeared: 0, edges: 1 },
      { type: "sns.topic", resources: 1, appeared: 1, disappeared: 0, edges: 0 },
    ]);

    const again = await Promise.all([
      store(r, "sqs.queue", {
        resources: [{ arn: queue(r, 1) }, { arn: queue(r, 3) }],
        edges: [{ from: queue(r, 1), to: topic(r, 2), kind: "subscribes" }],
      }),
      store(r, "sns.topic", { resources: [{ arn: topic(r, 1) }], edges: [] }),
    ]);
    expect(again).toEqual([
      { type: "sqs.queue", resources: 2, appeared: 1, disappeared: 1, edges: 1 },
      { type: "sns.topic", resources: 1, appeared: 0, disappeared: 0, edges: 0 },
    ]);
    expect(await edgesOf(r, "sqs.queue")).toEqual([
      { from_arn: queue(r, 1), to_arn: topic(r, 2), kind: "subscribes" },
    ]);
    const rows = await suite
      .handle()
      .db.selectFrom("inventory_resources")
      .select(["arn", "gone_at"])
      .where("region", "=", r)
      .orderBy("arn")
      .execute();
    expect(rows.map((row) => [row.arn, row.gone_at === null])).toEqual([
      [topic(r, 1), true],
      [queue(r, 1), true],
      [queue(r, 2), false],
      [queue(r, 3), true],
    ]);
    const scopes = await suite
      .handle()
      .db.selectFrom("inventory_scopes")
      .select(["type", "synced_at", "error"])
      .where("region", "=", r)
      .orderBy("type")
      .execute();
    expect(scopes.map((s) => [s.type, s.synced_at !== null, s.error])).toEqual([
      ["sns.topic", true, null],
      ["sqs.queue", true, null],
    ]);
  });

  it("fails only the listing at odds with what is stored; the others finished with it are kept", async () => {
    const r = "sa-east-1";
    // The same ARN new in two scopes of one connection cannot be stored twice.
    const shared = queue(r, 9);
    const settled = await Promise.allSettled([
      store(r, "sqs.queue", { resources: [{ arn: shared }], edges: [] }),
      store(r, "sns.topic", { resources: [{ arn: shared }], edges: [] }),
      store(r, "lambda.function", {
        resources: [{ arn: `arn:aws:lambda:${r}:${PROD}:function:f` }],
        edges: [],
      }),
    ]);
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    const types = await suite
      .handle()
      .db.selectFrom("inventory_scopes")
      .select("type")
      .where("region", "=", r)
      .orderBy("type")
      .execute();
    expect(types.map((t) => t.type)).toEqual(["lambda.function", "sqs.queue"]);
  });
});
