import { afterAll, beforeAll, expect, it } from "vitest";
import { startRun } from "../../src/engine/index.js";
import { parseDefinition } from "../../src/workflows/index.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";
import { saveWorkflow, startWorkflow, waitForRun } from "./engine-world.js";

const oneStep = (name: string, value: number) =>
  `name: ${name}\nsteps:\n  - id: value\n    transform: \${{ ${value} }}\n`;

describeEachDatabase("starting a workflow run", (suite) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(suite.handle().db);
  });
  afterAll(async () => {
    await t.close();
  });

  /** Starts a run, waits for it, and says which version it ran and what its step answered. */
  async function runOf(name: string): Promise<{ version: number; output: unknown }> {
    const id = await startWorkflow(t, name);
    const run = await waitForRun(t, id);
    expect(run.status, JSON.stringify(run)).toBe("succeeded");
    const row = await suite
      .handle()
      .db.selectFrom("runs")
      .select("workflow_version")
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    return { version: Number(row.workflow_version), output: run.steps[0]?.output };
  }

  it("runs the version current at each start: after a save, a restore, and a delete and re-create under the same name", async () => {
    await saveWorkflow(t, oneStep("current-version", 1));
    expect(await runOf("current-version")).toEqual({ version: 1, output: 1 });
    expect(await runOf("current-version")).toEqual({ version: 1, output: 1 });

    await saveWorkflow(t, oneStep("current-version", 2));
    expect(await runOf("current-version")).toEqual({ version: 2, output: 2 });

    const restored = await t.call("POST", "/api/v1/workflows/current-version/versions/1/restore");
    expect(restored.statusCode, restored.body).toBe(200);
    expect(await runOf("current-version")).toEqual({ version: 3, output: 1 });

    const deleted = await t.call("DELETE", "/api/v1/workflows/current-version");
    expect(deleted.statusCode, deleted.body).toBe(204);
    const gone = await t.call("POST", "/api/v1/workflows/current-version/runs", {
      body: { inputs: {} },
    });
    expect(gone.statusCode).toBe(404);
    await saveWorkflow(t, oneStep("current-version", 5));
    expect(await runOf("current-version")).toEqual({ version: 1, output: 5 });
  });

  it("writes the run, its steps and its audit event together, or none of them", async () => {
    await saveWorkflow(t, oneStep("written-together", 7));
    const id = await startWorkflow(t, "written-together");
    await waitForRun(t, id);
    const db = suite.handle().db;
    const steps = () =>
      db.selectFrom("run_steps").select("step_id").where("run_id", "=", id).execute();
    const audited = () =>
      db
        .selectFrom("audit_events")
        .select(["action", "detail"])
        .where("object_id", "=", id)
        .where("action", "=", "run.start")
        .execute();
    expect(await steps()).toEqual([{ step_id: "value" }]);
    const events = await audited();
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]?.detail ?? "null")).toMatchObject({
      kind: "workflow",
      workflow: "written-together",
      version: 1,
    });

    // A start that fails (here: the run's id is taken) writes nothing: no second audit event.
    const user = await db
      .selectFrom("users")
      .select(["id", "org_id", "name"])
      .where("name", "=", "admin")
      .executeTakeFirstOrThrow();
    const principal = {
      orgId: user.org_id,
      orgName: "",
      userId: user.id,
      userName: user.name,
      role: "admin" as const,
      via: "token" as const,
    };
    const parsed = parseDefinition(oneStep("written-together", 8), "yaml");
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const definition = parsed.definition;
    await expect(
      startRun(
        t.engine.deps,
        { orgId: principal.orgId, actor: "user:admin", sourceIp: null, requestId: null },
        {
          kind: "workflow",
          actor: "user:admin",
          runAs: principal,
          trigger: "api",
          runId: id,
          steps: definition.steps.map((def) => ({ def })),
          input: {},
          inputShown: {},
        },
      ),
    ).rejects.toThrow();
    expect(await steps()).toEqual([{ step_id: "value" }]);
    expect(await audited()).toHaveLength(1);
  });
});
