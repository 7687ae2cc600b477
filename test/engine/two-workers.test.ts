import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, migrateToLatest, type DbHandle } from "../../src/db/index.js";
import { MAX_PER_BUCKET } from "../../src/engine/index.js";
import { createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { spawnEngineChild, targetRows, type EngineChild } from "./engine-child-process.js";
import {
  accountId,
  engineStage,
  REGIONS,
  saveWorkflow,
  startWorkflow,
  waitForRun,
  type EngineStage,
} from "./engine-world.js";

const MEMBERS = 8;
const ONE_BUCKET_ITEMS = 40;
// More targets than one worker claims in a batch (128), over every (account, region): both share them.
const SPREAD_ITEMS = 192;
const EC2_LATENCY_MS = 1000;
const TUNING = { pollSeconds: 0.5, schedulePollSeconds: 1, superviseSeconds: 2 };

// PostgreSQL only: SQLite has one worker process by design (switchboard serve).
describe("two worker processes on PostgreSQL share one run", () => {
  let database: TestDatabase;
  let handle: DbHandle;
  let stage: EngineStage;
  const workers: EngineChild[] = [];
  const masterKey = randomBytes(32).toString("base64");

  beforeAll(async () => {
    database = await createTestDatabase("postgres");
    handle = createDb(database.config);
    await migrateToLatest(handle.db);
    stage = await engineStage(handle.db, MEMBERS, { app: { workers: false, masterKey } });
    stage.emulator.setKnobs({ latencyMs: { ec2: EC2_LATENCY_MS } });
    for (let i = 0; i < 2; i += 1)
      workers.push(
        await spawnEngineChild({ database: database.config, masterKey, tuning: TUNING }),
      );
  });
  afterAll(async () => {
    for (const worker of workers) await worker.kill("SIGKILL");
    await stage?.close();
    await handle?.destroy();
    await database?.dispose();
  });

  it("runs every target once, on both workers, never above the per-(account, region, service) bound", async () => {
    await saveWorkflow(
      stage.t,
      `name: two-workers
inputs:
  items: { type: array }
  spread: { type: array }
steps:
  - id: instances
    action: aws.ec2.describeInstances
    regions: [${REGIONS.join(", ")}]
  - id: vpcs
    action: aws.ec2.describeVpcs
    forEach: \${{ inputs.spread }}
    connection: \${{ item.connection }}
    region: \${{ item.region }}
  - id: oneBucket
    action: aws.ec2.describeSecurityGroups
    forEach: \${{ inputs.items }}
    connection: member-1
    region: us-east-1
`,
    );
    stage.emulator.resetCounters();
    const items = Array.from({ length: ONE_BUCKET_ITEMS }, (_, i) => i);
    const spread = Array.from({ length: SPREAD_ITEMS }, (_, i) => ({
      connection: `member-${(i % MEMBERS) + 1}`,
      region: REGIONS[Math.floor(i / MEMBERS) % REGIONS.length],
    }));
    const runId = await startWorkflow(stage.t, "two-workers", { items, spread });
    const run = await waitForRun(stage.t, runId, undefined, 90_000);
    expect(run.status, JSON.stringify(run)).toBe("succeeded");
    const counters = stage.emulator.counters();

    // No target executed twice: each (account, region) as many times as it has targets.
    for (let k = 1; k <= MEMBERS; k += 1) {
      for (const region of REGIONS) {
        const at = `${accountId(k)}|${region}|ec2:`;
        const vpcs = spread.filter((s) => s.connection === `member-${k}` && s.region === region);
        expect(counters.byAccountRegionOperation[`${at}DescribeInstances`], at).toBe(1);
        expect(counters.byAccountRegionOperation[`${at}DescribeVpcs`], at).toBe(vpcs.length);
      }
    }
    const bucket = `${accountId(1)}|us-east-1|ec2`;
    expect(counters.byAccountRegionOperation[`${bucket}:DescribeSecurityGroups`]).toBe(
      ONE_BUCKET_ITEMS,
    );

    // Each target's job began once, on one worker or the other, and both had some.
    const rows = await targetRows(handle.db, runId);
    expect(rows).toHaveLength(MEMBERS * REGIONS.length + SPREAD_ITEMS + ONE_BUCKET_ITEMS);
    const jobs = workers.map((w) => w.started.filter((job) => job.runId === runId));
    const began = jobs.flat().map((job) => job.idx);
    expect(began.sort((a, b) => a - b)).toEqual(rows.map((r) => r.idx));
    const perWorker = jobs.map((list) => list.length);
    const bucketPerWorker = jobs.map(
      (list) => list.filter((job) => rows[job.idx]?.step_idx === 2).length,
    );
    expect(Math.min(...perWorker), `targets per worker: ${perWorker.join(", ")}`).toBeGreaterThan(
      0,
    );

    // Together the two workers could run 128 targets at once; the bound held in every bucket.
    for (const [key, peak] of Object.entries(counters.peakInFlight))
      expect(peak, key).toBeLessThanOrEqual(MAX_PER_BUCKET);
    expect(counters.peakInFlight[bucket]).toBeGreaterThan(1);
    console.info(
      `targets per worker ${perWorker.join(" / ")} (one bucket: ${bucketPerWorker.join(" / ")}); peak in flight in ${bucket}: ${counters.peakInFlight[bucket]}`,
    );
  });
});
