import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import { useExternalId } from "../helpers/demo-setup.js";
import {
  REGIONS,
  accountId,
  engineStage,
  saveWorkflow,
  startWorkflow,
  waitForRun,
  type EngineStage,
} from "./engine-world.js";

interface Target {
  idx: number;
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

function errorCode(response: { json<T>(): T }): string {
  return response.json<{ error: { code: string } }>().error.code;
}

describeEachDatabase("cancel and redrive", (suite) => {
  let stage: EngineStage;
  beforeAll(async () => {
    stage = await engineStage(suite.handle().db, 3);
  });
  afterAll(async () => {
    await stage.close();
  });

  it("a cancel stops calls in flight within seconds, and a finished run cannot be cancelled", async () => {
    await saveWorkflow(
      stage.t,
      `name: cancel-slow-fan-out
steps:
  - id: clusters
    action: aws.ecs.listClusters
    # Named: "*" would also reach the connection another test adds to account 3.
    connections: [member-1, member-2, member-3]
    regions: [${REGIONS.join(", ")}]
  - id: never
    transform: \${{ 1 }}
`,
    );
    // ECS answers after 5 s; the role sessions (STS) at once.
    stage.emulator.setKnobs({ latencyMs: { ecs: 5_000 } });
    try {
      const id = await startWorkflow(stage.t, "cancel-slow-fan-out");
      // Until the calls are in flight.
      const deadline = Date.now() + 20_000;
      while ((await targetsOf(stage, id, "clusters")).every((t) => t.status !== "started")) {
        if (Date.now() > deadline) throw new Error("no target started");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const cancelledAt = Date.now();
      const cancel = await stage.t.call("POST", `/api/v1/runs/${id}/cancel`);
      expect(cancel.statusCode, cancel.body).toBe(202);
      const run = await waitForRun(stage.t, id, undefined, 10_000);
      const tookMs = Date.now() - cancelledAt;
      expect(run.status, JSON.stringify(run)).toBe("cancelled");
      // Well before ECS would have answered: the abort reached the calls.
      expect(tookMs).toBeLessThan(4_000);
      expect(run.steps.map((s) => [s.id, s.status])).toEqual([
        ["clusters", "cancelled"],
        ["never", "cancelled"],
      ]);
      const targets = await targetsOf(stage, id, "clusters");
      expect(targets).toHaveLength(9);
      expect(targets.filter((t) => t.status !== "cancelled")).toEqual([]);

      const again = await stage.t.call("POST", `/api/v1/runs/${id}/cancel`);
      expect(again.statusCode).toBe(409);
      expect(errorCode(again)).toBe("RUN_FINISHED");
    } finally {
      stage.emulator.setKnobs({ latencyMs: 0 });
    }
  });

  it("a single action cancelled while its call is out answers, and its run finishes cancelled", async () => {
    stage.emulator.setKnobs({ latencyMs: { ecs: 5_000 } });
    try {
      const asked = stage.t.call("POST", "/api/v1/actions/aws.ecs.listClusters/run", {
        body: { connection: "member-1", region: "us-east-1", input: {} },
      });
      const deadline = Date.now() + 20_000;
      let id: string | undefined;
      while (id === undefined) {
        if (Date.now() > deadline) throw new Error("the single action's run never started");
        const runs = await stage.t.call("GET", "/api/v1/runs?limit=5");
        id = runs
          .json<{ items: { id: string; actionId?: string; status: string }[] }>()
          .items.find((r) => r.actionId === "aws.ecs.listClusters" && r.status === "running")?.id;
        if (id === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const cancel = await stage.t.call("POST", `/api/v1/runs/${id}/cancel`);
      expect(cancel.statusCode, cancel.body).toBe(202);
      // The request is answered (not left waiting), and the run is on record as cancelled.
      const answer = await asked;
      expect(answer.statusCode, answer.body).toBeGreaterThanOrEqual(400);
      const run = await waitForRun(stage.t, id, undefined, 20_000);
      expect(run.status, JSON.stringify(run)).toBe("cancelled");
    } finally {
      stage.emulator.setKnobs({ latencyMs: 0 });
    }
  });

  it("a run waiting for an approval is cancelled at once, its approval with it", async () => {
    await saveWorkflow(
      stage.t,
      `name: cancel-waiting-approval
steps:
  - id: ask
    approval: { connection: member-1 }
  - id: clusters
    action: aws.ecs.listClusters
    connection: member-1
    region: us-east-1
`,
    );
    const id = await startWorkflow(stage.t, "cancel-waiting-approval");
    await waitForRun(stage.t, id, (run) => run.status === "waiting");
    const cancel = await stage.t.call("POST", `/api/v1/runs/${id}/cancel`);
    expect(cancel.statusCode, cancel.body).toBe(202);
    const run = await waitForRun(stage.t, id, undefined, 10_000);
    expect(run.status, JSON.stringify(run)).toBe("cancelled");
    expect(run.steps.map((s) => [s.id, s.status])).toEqual([
      ["ask", "cancelled"],
      ["clusters", "cancelled"],
    ]);
    const approve = await stage.t.call("POST", `/api/v1/runs/${id}/approve`, { body: {} });
    expect(approve.statusCode).toBe(409);
  });

  it("a redrive runs only the failed targets again, in the same run, keeping each first attempt", async () => {
    await saveWorkflow(
      stage.t,
      `name: redrive-throttled
steps:
  - id: clusters
    action: aws.ecs.listClusters
    connections: [member-1, member-2, member-3]
    regions: [us-east-1, eu-west-1]
`,
    );
    const busy = accountId(2);
    stage.emulator.setKnobs({
      throttle: { ratePerSecond: 0, burst: 0, services: ["ecs"], accounts: [busy] },
    });
    let id: string;
    try {
      id = await startWorkflow(stage.t, "redrive-throttled");
      const partial = await waitForRun(stage.t, id);
      expect(partial.status, JSON.stringify(partial)).toBe("partial");
    } finally {
      // The cause goes away.
      stage.emulator.setKnobs({ throttle: undefined });
    }
    const first = await targetsOf(stage, id, "clusters");
    expect(first.filter((t) => t.status === "failed").map((t) => t.connection)).toEqual([
      "member-2",
      "member-2",
    ]);

    const before = stage.emulator.counters().byAccountRegionOperation;
    const failedStep = (await stage.t.call("GET", `/api/v1/runs/${id}`)).json<{
      steps: { attempt: number; finishedAt: string }[];
    }>().steps[0];
    const redrive = await stage.t.call("POST", `/api/v1/runs/${id}/redrive`);
    expect(redrive.statusCode, redrive.body).toBe(202);
    expect(redrive.json()).toMatchObject({ id, targets: 2 });
    const run = await waitForRun(stage.t, id);
    expect(run.status, JSON.stringify(run)).toBe("succeeded");
    expect(run.steps.map((s) => [s.id, s.status])).toEqual([["clusters", "succeeded"]]);
    // The step's second attempt, timed from the redrive, not from the run's start.
    const redriven = (await stage.t.call("GET", `/api/v1/runs/${id}`)).json<{
      steps: { attempt: number; startedAt: string }[];
    }>().steps[0];
    expect(failedStep?.attempt).toBe(1);
    expect(redriven?.attempt).toBe(2);
    expect(Date.parse(redriven?.startedAt ?? "")).toBeGreaterThanOrEqual(
      Date.parse(failedStep?.finishedAt ?? ""),
    );

    // Only member-2's two targets were called again, once each.
    const after = stage.emulator.counters().byAccountRegionOperation;
    for (const i of [1, 2, 3])
      for (const region of ["us-east-1", "eu-west-1"]) {
        const key = `${accountId(i)}|${region}|ecs:ListClusters`;
        expect((after[key] ?? 0) - (before[key] ?? 0), key).toBe(i === 2 ? 1 : 0);
      }
    const targets = await targetsOf(stage, id, "clusters");
    expect(targets.map((t) => t.idx)).toEqual(first.map((t) => t.idx));
    for (const t of targets) {
      expect(t.status).toBe("succeeded");
      if (t.connection !== "member-2") {
        expect(t.attempt).toBe(1);
        expect(t.attempts).toBeUndefined();
        continue;
      }
      expect(t.attempt).toBe(2);
      expect(t.attempts).toHaveLength(1);
      expect(t.attempts?.[0]).toMatchObject({
        attempt: 1,
        status: "failed",
        error: { code: "ThrottlingException" },
      });
    }

    const again = await stage.t.call("POST", `/api/v1/runs/${id}/redrive`);
    expect(again.statusCode).toBe(409);
    expect(errorCode(again)).toBe("RUN_NOT_REDRIVABLE");
  });

  it("a redrive whose cause remains fails the same targets again, each attempt kept", async () => {
    const created = await stage.t.call("POST", "/api/v1/connections", {
      body: {
        name: "redrive-wrong-role",
        method: "assume_role",
        roleArn: `arn:aws:iam::${accountId(3)}:role/no-such-role`,
        endpoint: stage.emulator.url,
        regions: REGIONS,
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    await useExternalId(suite.handle().db, "sb-engine-external-id");
    await saveWorkflow(
      stage.t,
      `name: redrive-denied
steps:
  - id: instances
    action: aws.ec2.describeInstances
    connections: [member-1, redrive-wrong-role]
    regions: [us-west-2]
`,
    );
    const id = await startWorkflow(stage.t, "redrive-denied");
    expect((await waitForRun(stage.t, id)).status).toBe("partial");
    const before = stage.emulator.counters().byAccountRegionOperation;
    const redrive = await stage.t.call("POST", `/api/v1/runs/${id}/redrive`);
    expect(redrive.statusCode, redrive.body).toBe(202);
    expect(redrive.json()).toMatchObject({ targets: 1 });
    const run = await waitForRun(stage.t, id);
    expect(run.status, JSON.stringify(run)).toBe("partial");
    const key = `${accountId(1)}|us-west-2|ec2:DescribeInstances`;
    expect(stage.emulator.counters().byAccountRegionOperation[key]).toBe(before[key]);
    const targets = await targetsOf(stage, id, "instances");
    expect(targets.map((t) => [t.connection, t.status, t.attempt])).toEqual([
      ["member-1", "succeeded", 1],
      ["redrive-wrong-role", "failed", 2],
    ]);
    expect(targets[1]?.error?.code).toBe("AccessDenied");
    expect(targets[1]?.attempts).toHaveLength(1);
    expect(targets[1]?.attempts?.[0]).toMatchObject({
      attempt: 1,
      status: "failed",
      error: { code: "AccessDenied" },
    });
  });
});
