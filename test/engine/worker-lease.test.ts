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

// Two targets at a time, five in all, 4 s each: the fifth, claimed with the first batch at 0 s,
// waits in the worker's buffer and starts at 8 s, beside a free slot. Unless the worker
// heartbeats the jobs it buffers, its 10 s lease runs out while it runs, and the free slot claims
// it again: the same target would run twice at once.
const EC2_LATENCY_MS = 4000;
const TARGETS = 5;
const MEMBERS = 1;

describeEachDatabase("a live worker keeps the leases of the jobs it holds", (suite) => {
  let stage: EngineStage;
  beforeAll(async () => {
    stage = await engineStage(suite.handle().db, MEMBERS, { app: { workers: false } });
    stage.emulator.setKnobs({ latencyMs: { ec2: EC2_LATENCY_MS } });
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
