import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import {
  engineStage,
  saveWorkflow,
  startWorkflow,
  waitForRun,
  type EngineStage,
} from "./engine-world.js";

describeEachDatabase("a three-step workflow with expressions", (suite) => {
  let stage: EngineStage;
  beforeAll(async () => {
    stage = await engineStage(suite.handle().db, 3);
  });
  afterAll(async () => {
    await stage.close();
  });

  it("lists clusters, keeps the targets that have some, and describes them per item", async () => {
    await saveWorkflow(
      stage.t,
      `name: ecs-clusters-everywhere
inputs:
  regions: { type: array, default: [us-east-1, eu-west-1] }
steps:
  - id: clusters
    action: aws.ecs.listClusters
    connections: { tag: env=dev }
    regions: \${{ inputs.regions }}
    onError: continue
  - id: count
    transform: \${{ $count(steps.clusters.targets[status = "succeeded"]) }}
  - id: details
    action: aws.ecs.describeClusters
    forEach: \${{ steps.clusters.targets[status = "succeeded" and $count(output.clusterArns) > 0] }}
    connection: \${{ item.connection }}
    region: \${{ item.region }}
    input: { clusters: \${{ item.output.clusterArns }} }
`,
    );
    const id = await startWorkflow(stage.t, "ecs-clusters-everywhere");
    const run = await waitForRun(stage.t, id);
    expect(run.status, JSON.stringify(run)).toBe("succeeded");
    // env=dev: member-1 and member-3, two regions each.
    expect(run.steps.map((s) => [s.id, s.status, s.targetCount])).toEqual([
      ["clusters", "succeeded", 4],
      ["count", "succeeded", 0],
      ["details", "succeeded", 4],
    ]);
    expect(run.steps[1]?.output).toBe(4);
  });
});

describeEachDatabase("forEach with a concurrency", (suite) => {
  let stage: EngineStage;
  beforeAll(async () => {
    stage = await engineStage(suite.handle().db, 1);
  });
  afterAll(async () => {
    await stage.close();
  });

  it("never has more than its concurrency of items in flight, and runs them all", async () => {
    await saveWorkflow(
      stage.t,
      `name: describe-one-by-two
steps:
  - id: each
    action: aws.ec2.describeVpcs
    forEach: \${{ [1, 2, 3, 4, 5, 6] }}
    concurrency: 2
    connection: member-1
    region: eu-west-1
`,
    );
    stage.emulator.resetCounters();
    stage.emulator.setKnobs({ latencyMs: 300 });
    try {
      const run = await waitForRun(stage.t, await startWorkflow(stage.t, "describe-one-by-two"));
      expect(run.status, JSON.stringify(run)).toBe("succeeded");
      expect(run.steps[0]?.targetCount).toBe(6);
      const counters = stage.emulator.counters();
      expect(counters.byAccountRegionOperation["100000000001|eu-west-1|ec2:DescribeVpcs"]).toBe(6);
      // The bucket alone would allow 8: the step's concurrency is what held it to 2.
      expect(counters.peakInFlight["100000000001|eu-west-1|ec2"]).toBe(2);
    } finally {
      stage.emulator.setKnobs({ latencyMs: 0 });
    }
  });
});
