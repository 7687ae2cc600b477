import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import { spawnEngineChild, targetRows, until, type EngineChild } from "./engine-child-process.js";
import {
  accountId,
  engineStage,
  REGIONS,
  saveWorkflow,
  startWorkflow,
  waitForRun,
  type EngineStage,
} from "./engine-world.js";

const MEMBERS = 10;
// Every EC2 call takes this long, so that a worker killed mid-run has targets in flight.
const EC2_LATENCY_MS = 1500;
// The first worker runs a few targets at a time: some settle before the kill, some are in flight.
const FIRST_WORKER_CONCURRENCY = 4;
// The resuming worker fails over a dead worker's jobs quickly (pg-boss's supervise interval).
const RESUMER_TUNING = { pollSeconds: 0.5, schedulePollSeconds: 1, superviseSeconds: 1 };
const FINISHED = ["succeeded", "failed", "partial", "cancelled", "skipped", "refused", "unknown"];
// A killed worker's jobs come back when their lease runs out: SQLite's driver takes a short one
// (every process of the test uses it); pg-boss takes no less than its default, 10 s.
const LEASE = { sqlite: { heartbeatSeconds: 3 }, postgres: {} };

describeEachDatabase("a worker killed mid-run (kill -9), resumed by another", (suite) => {
  let stage: EngineStage;
  const masterKey = randomBytes(32).toString("base64");
  const children: EngineChild[] = [];
  const full = Array.from({ length: MEMBERS }, (_, k) => `member-${k + 1}`);

  beforeAll(async () => {
    stage = await engineStage(suite.handle().db, MEMBERS, {
      full,
      app: { workers: false, masterKey, ...LEASE[suite.dialect] },
    });
    stage.emulator.setKnobs({ latencyMs: { ec2: EC2_LATENCY_MS } });
  });
  afterEach(async () => {
    for (const child of children.splice(0)) await child.kill("SIGKILL");
  });
  afterAll(async () => {
    await stage.close();
  });

  // The emulator's calls of a target: member-k is account k.
  const calls = (operation: string, target: { connection_name: string; region: string }) => {
    const account = accountId(Number(target.connection_name.replace("member-", "")));
    const key = `${account}|${target.region}|ec2:${operation}`;
    return stage.emulator.counters().byAccountRegionOperation[key] ?? 0;
  };

  /**
   * Starts the run on the app (no workers), lets a child worker run it until some targets have
   * settled and some have reached AWS without an answer, kills the child, and resumes with another child. Gives the
   * targets as they were at the kill, the emulator's calls per target at the kill, and the run.
   */
  async function killMidRun(workflow: string, operation: string, inputs = {}) {
    const db = suite.handle().db;
    const database = suite.testDatabase().config;
    stage.emulator.resetCounters();
    const runId = await startWorkflow(stage.t, workflow, inputs);
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
        const settled = rows.filter((r) => FINISHED.includes(r.status)).length;
        // In flight: claimed, and its request has reached AWS (the emulator counted it).
        const inFlight = rows.filter((r) => r.status === "started" && calls(operation, r) > 0);
        return settled >= FIRST_WORKER_CONCURRENCY && inFlight.length > 0 ? true : undefined;
      },
      45_000,
      50,
    );
    await first.kill("SIGKILL");
    const killedAt = Date.now();
    const atKill = await targetRows(db, runId);
    const callsAtKill = new Map(atKill.map((r) => [r.idx, calls(operation, r)]));

    const second = await spawnEngineChild({
      database,
      masterKey,
      tuning: RESUMER_TUNING,
      ...LEASE[suite.dialect],
    });
    children.push(second);
    const run = await waitForRun(stage.t, runId, undefined, 60_000);
    const resumed = second.started.filter((job) => job.runId === runId);
    const failoverMs = Math.min(...resumed.map((job) => job.at)) - killedAt;
    return { runId, atKill, callsAtKill, run, resumed, failoverMs };
  }

  it("runs a read again only where its claim was in flight, never one that had settled", async () => {
    await saveWorkflow(
      stage.t,
      `name: crash-reads
steps:
  - id: instances
    action: aws.ec2.describeInstances
    connections: "*"
    regions: [${REGIONS.join(", ")}]
`,
    );
    const { runId, atKill, callsAtKill, run, resumed, failoverMs } = await killMidRun(
      "crash-reads",
      "DescribeInstances",
    );
    const db = suite.handle().db;
    const after = await targetRows(db, runId);
    expect(run.status, JSON.stringify(run)).toBe("succeeded");
    expect(after).toHaveLength(MEMBERS * REGIONS.length);
    expect(after.every((r) => r.status === "succeeded")).toBe(true);

    const settledBefore = atKill.filter((r) => FINISHED.includes(r.status));
    const inFlight = atKill.filter((r) => r.status === "started");
    const pending = atKill.filter((r) => r.status === "pending");
    expect(settledBefore.length).toBeGreaterThanOrEqual(FIRST_WORKER_CONCURRENCY);
    expect(inFlight.filter((r) => callsAtKill.get(r.idx) === 1).length).toBeGreaterThan(0);
    for (const r of after) {
      const total = calls("DescribeInstances", r);
      const before = callsAtKill.get(r.idx) ?? 0;
      const was = atKill.find((k) => k.idx === r.idx)?.status;
      // Settled before the kill: never called again. Pending: called once, by the new worker.
      // In flight: its request may have left (once), and the read runs again (once more).
      if (was !== undefined && FINISHED.includes(was)) expect([r.idx, total]).toEqual([r.idx, 1]);
      else if (was === "pending") expect([r.idx, total]).toEqual([r.idx, 1]);
      else expect([r.idx, total]).toEqual([r.idx, before + 1]);
      expect(total).toBeLessThanOrEqual(2);
    }
    // The new worker took every target not settled at the kill (and perhaps jobs whose target had
    // settled but whose completion the kill lost: they find it settled and call nothing).
    const taken = new Set(resumed.map((job) => job.idx));
    for (const r of [...inFlight, ...pending])
      expect(taken.has(r.idx), `target ${r.idx}`).toBe(true);
    console.info(
      `[${suite.dialect}] reads: ${settledBefore.length} settled, ${inFlight.length} in flight, ${pending.length} pending at the kill; failover ${failoverMs} ms`,
    );
  });

  it("reports a write in flight at the kill as unknown and never sends it again", async () => {
    await saveWorkflow(
      stage.t,
      `name: crash-writes
inputs:
  targets: { type: array }
steps:
  - id: terminate
    action: aws.call
    forEach: \${{ inputs.targets }}
    connection: \${{ item.connection }}
    region: \${{ item.region }}
    input:
      service: ec2
      operation: TerminateInstances
      input:
        InstanceIds: \${{ [item.instance] }}
`,
    );
    const targets = full.flatMap((connection, k) =>
      REGIONS.map((region) => ({
        connection,
        region,
        instance: `i-${accountId(k + 1)}${region.length}`,
      })),
    );
    const { runId, atKill, callsAtKill, run, failoverMs } = await killMidRun(
      "crash-writes",
      "TerminateInstances",
      { targets },
    );
    const after = await targetRows(suite.handle().db, runId);
    expect(["partial", "failed"]).toContain(run.status);
    const inFlight = atKill.filter((r) => r.status === "started");
    const sentInFlight = inFlight.filter((r) => (callsAtKill.get(r.idx) ?? 0) > 0);
    expect(sentInFlight.length).toBeGreaterThan(0);
    for (const r of after) {
      const total = calls("TerminateInstances", r);
      const was = atKill.find((k) => k.idx === r.idx)?.status;
      if (was === "started") {
        // Sent, or perhaps not yet: never sent again, and reported as unknown.
        expect([r.idx, r.status, total]).toEqual([r.idx, "unknown", callsAtKill.get(r.idx)]);
        expect(JSON.parse(r.error ?? "{}")).toMatchObject({ code: "OUTCOME_UNKNOWN" });
      } else {
        expect([r.idx, r.status, total]).toEqual([r.idx, "succeeded", 1]);
      }
    }
    console.info(
      `[${suite.dialect}] writes: ${inFlight.length} in flight at the kill (${sentInFlight.length} had reached AWS), now unknown; failover ${failoverMs} ms`,
    );
  });
});
