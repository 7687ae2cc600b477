import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import {
  spawnEngineChild,
  targetRows,
  until,
  type EngineChild,
} from "../engine/engine-child-process.js";
import { waitForRun } from "../engine/engine-world.js";
import { DEV, inventoryStage, PROD, type InventoryStage } from "./inventory-world.js";

// Each listing call takes this long, so that a worker killed mid-sync has targets in flight.
const LATENCY_MS = 1200;
const FIRST_WORKER_CONCURRENCY = 3;
const RESUMER_TUNING = { pollSeconds: 0.5, schedulePollSeconds: 1, superviseSeconds: 1 };
const SETTLED = ["succeeded", "failed", "refused", "skipped", "cancelled", "unknown"];
// A killed worker's jobs come back when their lease runs out: SQLite's driver takes a short one
// (every process of the test uses it); pg-boss takes no less than its default, 10 s.
const LEASE = { sqlite: { heartbeatSeconds: 3 }, postgres: {} };
const OPERATION: Record<string, string> = {
  "ec2.vpc": "ec2:DescribeVpcs",
  "ec2.subnet": "ec2:DescribeSubnets",
  "ec2.instance": "ec2:DescribeInstances",
  "sns.topic": "sns:ListTopics",
};
const ACCOUNT: Record<string, string> = { prod: PROD, dev: DEV };

describeEachDatabase("inventory: a sync whose worker is killed (kill -9)", (suite) => {
  let stage: InventoryStage;
  const masterKey = randomBytes(32).toString("base64");
  const children: EngineChild[] = [];

  beforeAll(async () => {
    stage = await inventoryStage(suite.handle().db, {
      workers: false,
      masterKey,
      ...LEASE[suite.dialect],
    });
  });
  afterEach(async () => {
    for (const child of children.splice(0)) await child.kill("SIGKILL");
  });
  afterAll(async () => {
    await stage.close();
  });

  it("resumes on another worker without listing again what it had finished", async () => {
    const db = suite.handle().db;
    const database = suite.testDatabase().config;
    stage.emulator.setKnobs({ latencyMs: { ec2: LATENCY_MS, sns: LATENCY_MS } });
    stage.emulator.resetCounters();
    const calls = (target: { connection_name: string; region: string }, operation: string) =>
      stage.emulator.counters().byAccountRegionOperation[
        `${ACCOUNT[target.connection_name]}|${target.region}|${operation}`
      ] ?? 0;

    const started = await stage.t.call("POST", "/api/v1/inventory/syncs", {
      body: { connections: "*", types: Object.keys(OPERATION) },
    });
    expect(started.statusCode, started.body).toBe(202);
    const runId = started.json<{ id: string }>().id;

    const first = await spawnEngineChild({
      database,
      masterKey,
      targetConcurrency: FIRST_WORKER_CONCURRENCY,
      ...LEASE[suite.dialect],
    });
    children.push(first);
    await until(
      "some targets settled and some in flight",
      async () => {
        const rows = await targetRows(db, runId);
        const settled = rows.filter((r) => SETTLED.includes(r.status)).length;
        const inFlight = rows.filter((r) => r.status === "started").length;
        return settled >= FIRST_WORKER_CONCURRENCY && inFlight > 0 ? true : undefined;
      },
      60_000,
      50,
    );
    await first.kill("SIGKILL");
    const atKill = await targetRows(db, runId);
    const countersAtKill = { ...stage.emulator.counters().byAccountRegionOperation };

    const second = await spawnEngineChild({
      database,
      masterKey,
      tuning: RESUMER_TUNING,
      ...LEASE[suite.dialect],
    });
    children.push(second);
    const run = await waitForRun(stage.t, runId, undefined, 90_000);
    expect(run.status, JSON.stringify(run)).toBe("succeeded");

    // Each target's type is in its stored output (counts only).
    const outputs = await db
      .selectFrom("run_targets")
      .select(["idx", "output"])
      .where("run_id", "=", runId)
      .execute();
    const typeOf = new Map(
      outputs.map((o) => [o.idx, (JSON.parse(o.output ?? "{}") as { type: string }).type]),
    );
    expect(outputs).toHaveLength(2 * 2 * Object.keys(OPERATION).length);
    const finishedBefore = atKill.filter((r) => SETTLED.includes(r.status));
    expect(finishedBefore.length).toBeGreaterThanOrEqual(FIRST_WORKER_CONCURRENCY);
    for (const r of finishedBefore) {
      const operation = OPERATION[typeOf.get(r.idx) ?? ""] ?? "";
      const key = `${ACCOUNT[r.connection_name]}|${r.region}|${operation}`;
      // Finished before the kill: never listed again by the new worker.
      expect([r.idx, calls(r, operation)]).toEqual([r.idx, countersAtKill[key]]);
    }
    for (const r of atKill.filter((t) => !SETTLED.includes(t.status))) {
      const operation = OPERATION[typeOf.get(r.idx) ?? ""] ?? "";
      expect(calls(r, operation)).toBeGreaterThanOrEqual(1);
    }
    // And the inventory holds every scope, fresh.
    const scopes = await db.selectFrom("inventory_scopes").selectAll().execute();
    expect(scopes.filter((s) => s.run_id === runId && s.error === null)).toHaveLength(
      2 * 2 * Object.keys(OPERATION).length,
    );
  });
});
