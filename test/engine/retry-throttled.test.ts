import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import { useExternalId } from "../helpers/demo-setup.js";
import {
  accountId,
  engineStage,
  saveWorkflow,
  startWorkflow,
  waitForRun,
  type EngineStage,
} from "./engine-world.js";

interface Target {
  connection: string;
  region: string;
  status: string;
  attempt: number;
  error?: { code: string; message: string };
  attempts?: { attempt: number; status: string; error?: { code: string } }[];
}

async function targetsOf(stage: EngineStage, runId: string, step: string): Promise<Target[]> {
  const response = await stage.t.call("GET", `/api/v1/runs/${runId}/targets?step=${step}`);
  if (response.statusCode !== 200) throw new Error(response.body);
  return response.json<{ items: Target[] }>().items;
}

describeEachDatabase("a step retried after injected throttling", (suite) => {
  let stage: EngineStage;
  beforeAll(async () => {
    stage = await engineStage(suite.handle().db, 3);
  });
  afterAll(async () => {
    await stage.close();
  });

  it("retries a throttled target until the throttle lifts, keeping its failed attempt", async () => {
    const throttled = accountId(1);
    await saveWorkflow(
      stage.t,
      `name: retry-throttled-clusters
steps:
  - id: clusters
    action: aws.ecs.listClusters
    connection: member-1
    region: us-east-1
    retry: { attempts: 3, backoffSeconds: 0.2 }
`,
    );
    // Every ECS call of this account is throttled (an empty bucket that never refills).
    stage.emulator.setKnobs({
      throttle: { ratePerSecond: 0, burst: 0, services: ["ecs"], accounts: [throttled] },
    });
    const throttlesBefore = stage.emulator.counters().throttles;
    let id: string;
    try {
      id = await startWorkflow(stage.t, "retry-throttled-clusters");
      // Lift the throttle once the first attempt has failed and been kept.
      const deadline = Date.now() + 30_000;
      for (;;) {
        const [target] = await targetsOf(stage, id, "clusters");
        if (target !== undefined && (target.attempt >= 2 || target.attempts !== undefined)) break;
        if (target?.status === "failed" || Date.now() > deadline)
          throw new Error(`the first attempt did not fail as throttled: ${JSON.stringify(target)}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    } finally {
      stage.emulator.setKnobs({ throttle: undefined });
    }
    expect(stage.emulator.counters().throttles).toBeGreaterThan(throttlesBefore);

    const run = await waitForRun(stage.t, id);
    expect(run.status, JSON.stringify(run)).toBe("succeeded");
    const [target] = await targetsOf(stage, id, "clusters");
    expect(target?.status).toBe("succeeded");
    expect(target?.attempt).toBeGreaterThan(1);
    expect(target?.attempts?.length).toBe((target?.attempt ?? 0) - 1);
    expect(target?.attempts?.[0]).toMatchObject({
      attempt: 1,
      status: "failed",
      error: { code: "ThrottlingException" },
    });
  });

  it("without retry, fails a throttled target with AWS's throttling code", async () => {
    const throttled = accountId(2);
    await saveWorkflow(
      stage.t,
      `name: retry-none-throttled
steps:
  - id: clusters
    action: aws.ecs.listClusters
    connections: [member-2, member-3]
    region: eu-west-1
`,
    );
    stage.emulator.setKnobs({
      throttle: { ratePerSecond: 0, burst: 0, services: ["ecs"], accounts: [throttled] },
    });
    let id: string;
    let run;
    try {
      id = await startWorkflow(stage.t, "retry-none-throttled");
      run = await waitForRun(stage.t, id);
    } finally {
      stage.emulator.setKnobs({ throttle: undefined });
    }
    expect(run.status, JSON.stringify(run)).toBe("partial");
    const targets = await targetsOf(stage, id, "clusters");
    expect(targets.map((t) => [t.connection, t.status, t.attempt])).toEqual([
      ["member-2", "failed", 1],
      ["member-3", "succeeded", 1],
    ]);
    expect(targets[0]?.error?.code).toBe("ThrottlingException");
    expect(targets[0]?.attempts).toBeUndefined();
  });
  it("a step's timeout stops a call AWS is slow to answer", async () => {
    await saveWorkflow(
      stage.t,
      `name: retry-step-timeout
steps:
  - id: slow
    action: aws.ecs.listClusters
    connection: member-3
    region: us-west-2
    timeout: 1s
`,
    );
    // AWS would answer after two minutes: a run that ends within the wait below, its call
    // timed out, was stopped by the step's timeout (no clock is read here).
    stage.emulator.setKnobs({ latencyMs: { ecs: 120_000 } });
    let id: string;
    let run;
    try {
      id = await startWorkflow(stage.t, "retry-step-timeout");
      run = await waitForRun(stage.t, id, undefined, 30_000);
    } finally {
      stage.emulator.setKnobs({ latencyMs: 0 });
    }
    expect(run.status, JSON.stringify(run)).toBe("failed");
    const [target] = await targetsOf(stage, id, "slow");
    expect(target?.status).toBe("failed");
    expect(target?.error?.code).toBe("STEP_TIMED_OUT");
  });
  it("does not retry what cannot succeed by waiting (access denied)", async () => {
    const created = await stage.t.call("POST", "/api/v1/connections", {
      body: {
        name: "retry-wrong-role",
        method: "assume_role",
        roleArn: `arn:aws:iam::${accountId(2)}:role/no-such-role`,
        endpoint: stage.emulator.url,
        regions: ["us-east-1"],
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    await useExternalId(suite.handle().db, "sb-engine-external-id");
    await saveWorkflow(
      stage.t,
      `name: retry-access-denied
steps:
  - id: clusters
    action: aws.ecs.listClusters
    connection: retry-wrong-role
    region: us-east-1
    retry: { attempts: 3, backoffSeconds: 0.2 }
`,
    );
    const id = await startWorkflow(stage.t, "retry-access-denied");
    const run = await waitForRun(stage.t, id);
    expect(run.status, JSON.stringify(run)).toBe("failed");
    const [target] = await targetsOf(stage, id, "clusters");
    expect(target).toMatchObject({ status: "failed", attempt: 1, error: { code: "AccessDenied" } });
    expect(target?.attempts).toBeUndefined();
  });
});
