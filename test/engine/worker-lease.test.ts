import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import { targetRows } from "./engine-child-process.js";
import {
  accountId,
  engineStage,
  saveWorkflow,
  startWorkflow,
  waitForRun,
  type EngineStage,
} from "./engine-world.js";

// Two targets at a time, five in all. The fifth, claimed with the first batch at 0 s, waits in the
// worker's buffer until two rounds of calls have ended, and its lease must hold all that time.
// SQLite (our driver, 2 s lease, 2 s calls): it starts at 4 s, its lease long run out unless the
// worker heartbeats the jobs it buffers; the slot freed beside it would then claim it again, and
// the same target would run twice at once. PostgreSQL (pg-boss's 10 s minimum, 4 s calls): it
// starts at 8 s and its lease must outlast 10 s, refreshed by pg-boss for the whole batch.
const TIMING = {
  sqlite: { heartbeatSeconds: 2, ec2LatencyMs: 2000 },
  postgres: { ec2LatencyMs: 4000 },
};
const TARGETS = 5;
const MEMBERS = 1;

describeEachDatabase("a live worker keeps the leases of the jobs it holds", (suite) => {
  let stage: EngineStage;
  beforeAll(async () => {
    const { ec2LatencyMs, ...lease } = TIMING[suite.dialect];
    stage = await engineStage(suite.handle().db, MEMBERS, { app: { workers: false, ...lease } });
    stage.emulator.setKnobs({ latencyMs: { ec2: ec2LatencyMs } });
    await stage.t.engine.startWorkers({ targetConcurrency: 2 });
  });
  afterAll(async () => {
    await stage.close();
  });

  it("runs each target once although its job waited in the batch longer than the lease", async () => {
    await saveWorkflow(
      stage.t,
      `name: slow-reads
steps:
  - id: instances
    action: aws.ec2.describeInstances
    forEach: \${{ inputs.items }}
    connection: member-1
    region: us-east-1
inputs:
  items: { type: array }
`,
    );
    const items = Array.from({ length: TARGETS }, (_, i) => i);
    const runId = await startWorkflow(stage.t, "slow-reads", { items });
    const run = await waitForRun(stage.t, runId, undefined, 60_000);
    expect(run.status, JSON.stringify(run)).toBe("succeeded");
    const counters = stage.emulator.counters().byAccountRegionOperation;
    expect(counters[`${accountId(1)}|us-east-1|ec2:DescribeInstances`]).toBe(TARGETS);
    expect((await targetRows(suite.handle().db, runId)).map((r) => r.status)).toEqual(
      items.map(() => "succeeded"),
    );
  });
});
