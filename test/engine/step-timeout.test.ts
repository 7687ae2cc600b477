import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import { startLocalServer } from "../outbound/local-server.js";
import {
  engineStage,
  saveWorkflow,
  startWorkflow,
  waitForRun,
  type EngineStage,
} from "./engine-world.js";

interface Target {
  status: string;
  error?: { code: string; message: string };
}

describeEachDatabase("a step's timeout", (suite) => {
  let stage: EngineStage;
  beforeAll(async () => {
    stage = await engineStage(suite.handle().db, 1);
  });
  afterAll(async () => {
    await stage.close();
  });

  it("aborts an action's call that AWS answers too late: STEP_TIMED_OUT well before the answer", async () => {
    await saveWorkflow(
      stage.t,
      `name: timeout-slow-action
steps:
  - id: clusters
    action: aws.ecs.listClusters
    connection: member-1
    region: us-east-1
    timeout: 1s
`,
    );
    // ECS answers after 5 s; the role session (STS) at once.
    stage.emulator.setKnobs({ latencyMs: { ecs: 5_000 } });
    try {
      const startedAt = Date.now();
      const id = await startWorkflow(stage.t, "timeout-slow-action");
      const run = await waitForRun(stage.t, id, undefined, 20_000);
      const tookMs = Date.now() - startedAt;
      expect(run.status, JSON.stringify(run)).toBe("failed");
      expect(run.steps[0]?.status).toBe("failed");
      // Before ECS would have answered: the timeout aborted the call.
      expect(tookMs).toBeLessThan(4_500);
      const targets = await stage.t.call("GET", `/api/v1/runs/${id}/targets?step=clusters`);
      const items = targets.json<{ items: Target[] }>().items;
      expect(items.map((t) => [t.status, t.error?.code])).toEqual([["failed", "STEP_TIMED_OUT"]]);
      expect(items[0]?.error?.message).toContain("1000 ms");
    } finally {
      stage.emulator.setKnobs({ latencyMs: 0 });
    }
  });

  it("the same action within its timeout succeeds", async () => {
    await saveWorkflow(
      stage.t,
      `name: timeout-fast-action
steps:
  - id: clusters
    action: aws.ecs.listClusters
    connection: member-1
    region: us-east-1
    timeout: 30s
`,
    );
    const id = await startWorkflow(stage.t, "timeout-fast-action");
    const run = await waitForRun(stage.t, id, undefined, 20_000);
    expect(run.status, JSON.stringify(run)).toBe("succeeded");
  });

  it("an http step's timeout fails it with STEP_TIMED_OUT when the server answers too late", async () => {
    const pending: (() => void)[] = [];
    const server = await startLocalServer((_request, _body, response) => {
      const timer = setTimeout(() => response.end("{}"), 5_000);
      pending.push(() => clearTimeout(timer));
    });
    try {
      const allowed = await stage.t.call("PUT", "/api/v1/settings/outbound", {
        body: {
          allow: [
            "*.amazonaws.com",
            `127.0.0.1:${stage.emulator.port}`,
            `127.0.0.1:${server.port}`,
          ],
        },
      });
      expect(allowed.statusCode, allowed.body).toBe(200);
      await saveWorkflow(
        stage.t,
        `name: timeout-slow-http
steps:
  - id: call
    http:
      method: GET
      url: http://127.0.0.1:${server.port}/slow
    timeout: 1s
  - id: after
    transform: \${{ 1 }}
`,
      );
      const startedAt = Date.now();
      const id = await startWorkflow(stage.t, "timeout-slow-http");
      const run = await waitForRun(stage.t, id, undefined, 20_000);
      const tookMs = Date.now() - startedAt;
      expect(run.status, JSON.stringify(run)).toBe("failed");
      expect(tookMs).toBeLessThan(4_500);
      expect(run.steps.map((s) => [s.id, s.status, s.error?.code])).toEqual([
        ["call", "failed", "STEP_TIMED_OUT"],
        ["after", "skipped", "UPSTREAM_FAILED"],
      ]);
      expect(server.requests).toHaveLength(1);
    } finally {
      for (const clear of pending) clear();
      await server.close();
    }
  });
});
