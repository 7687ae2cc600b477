import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import { useExternalId } from "../helpers/demo-setup.js";
import { signInAsMember } from "../helpers/member.js";
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
  connection: string;
  region: string;
  status: string;
  error?: { code: string; message: string };
}

describeEachDatabase("a project's connections and workflows", (suite) => {
  let stage: EngineStage;
  let insider: string;
  beforeAll(async () => {
    // member-1 and member-2 at org level; scope-conn in project scope-p, scope-q-conn in scope-q.
    stage = await engineStage(suite.handle().db, 2);
    insider = await signInAsMember(stage.t, "scope-insider");
    for (const [project, connection] of [
      ["scope-p", "scope-conn"],
      ["scope-q", "scope-q-conn"],
    ] as const) {
      const created = await stage.t.call("POST", "/api/v1/projects", {
        body: { name: project, members: ["user:scope-insider"] },
      });
      expect(created.statusCode, created.body).toBe(201);
      const conn = await stage.t.call("POST", "/api/v1/connections", {
        body: {
          name: connection,
          method: "assume_role",
          roleArn: `arn:aws:iam::${accountId(1)}:role/switchboard-read`,
          endpoint: stage.emulator.url,
          regions: REGIONS,
          tags: { env: "scoped" },
          project,
        },
      });
      expect(conn.statusCode, conn.body).toBe(201);
    }
    // A project's connections get their own external id: the one engineWorld's roles trust.
    await useExternalId(suite.handle().db, "sb-engine-external-id");
  });
  afterAll(async () => {
    await stage.close();
  });

  async function targetsOf(runId: string, step: string): Promise<Target[]> {
    const response = await stage.t.call("GET", `/api/v1/runs/${runId}/targets?step=${step}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json<{ items: Target[] }>().items;
  }

  function clustersOn(name: string, selector: string): string {
    return `name: ${name}
steps:
  - id: clusters
    action: aws.ecs.listClusters
    ${selector}
    regions: [us-east-1]
`;
  }

  async function saveIn(project: string, yaml: string): Promise<void> {
    const saved = await stage.t.call("POST", `/api/v1/workflows?project=${project}`, {
      body: yaml,
      headers: { "content-type": "application/yaml" },
    });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json<{ project: string | null }>().project).toBe(project);
  }

  it("a workflow of the project runs on the project's connection", async () => {
    await saveIn("scope-p", clustersOn("scope-p-clusters", "connection: scope-conn"));
    const id = await startWorkflow(stage.t, "scope-p-clusters");
    const run = await waitForRun(stage.t, id);
    expect(run.status, JSON.stringify(await targetsOf(id, "clusters"))).toBe("succeeded");
    expect((await targetsOf(id, "clusters")).map((t) => [t.connection, t.status])).toEqual([
      ["scope-conn", "succeeded"],
    ]);
  });

  it("an org workflow, or another project's, naming the connection has its target refused (PROJECT_SCOPE)", async () => {
    const before = stage.emulator.counters().total;
    await saveWorkflow(stage.t, clustersOn("scope-org-clusters", "connection: scope-conn"));
    await saveIn("scope-q", clustersOn("scope-q-clusters", "connection: scope-conn"));
    for (const name of ["scope-org-clusters", "scope-q-clusters"]) {
      const id = await startWorkflow(stage.t, name);
      const run = await waitForRun(stage.t, id);
      expect(run.status, JSON.stringify(run)).toBe("failed");
      const targets = await targetsOf(id, "clusters");
      expect(targets.map((t) => [t.connection, t.status, t.error?.code])).toEqual([
        ["scope-conn", "refused", "PROJECT_SCOPE"],
      ]);
      expect(targets[0]?.error?.message).toContain("scope-conn");
    }
    expect(stage.emulator.counters().total).toBe(before);
  });

  it("a workflow selecting every connection, or by tag, leaves other projects' connections out", async () => {
    await saveWorkflow(stage.t, clustersOn("scope-org-everything", 'connections: "*"'));
    const everything = await startWorkflow(stage.t, "scope-org-everything");
    const run = await waitForRun(stage.t, everything);
    expect(run.status, JSON.stringify(run)).toBe("succeeded");
    expect(
      (await targetsOf(everything, "clusters")).map((t) => [t.connection, t.status]).sort(),
    ).toEqual([
      ["member-1", "succeeded"],
      ["member-2", "succeeded"],
    ]);

    // A project's workflow reaches its own connections and the org's, never another project's.
    await saveIn("scope-p", clustersOn("scope-p-everything", 'connections: "*"'));
    const inProject = await startWorkflow(stage.t, "scope-p-everything");
    const projectRun = await waitForRun(stage.t, inProject);
    expect(projectRun.status, JSON.stringify(projectRun)).toBe("succeeded");
    // scope-conn reaches member-1's account: a fan-out runs once per (account, region).
    expect(
      (await targetsOf(inProject, "clusters"))
        .map((t) => [t.connection, t.status, t.error?.code])
        .sort(),
    ).toEqual([
      ["member-1", "succeeded", undefined],
      ["member-2", "succeeded", undefined],
      ["scope-conn", "skipped", "SAME_ACCOUNT_REGION"],
    ]);
    await saveIn("scope-p", clustersOn("scope-p-tagged", "connections: { tag: env=scoped }"));
    const tagged = await startWorkflow(stage.t, "scope-p-tagged");
    expect((await waitForRun(stage.t, tagged)).status).toBe("succeeded");
    expect((await targetsOf(tagged, "clusters")).map((t) => [t.connection, t.status])).toEqual([
      ["scope-conn", "succeeded"],
    ]);

    // scope-conn (another project's) reaches the same account and sorts first: it never takes
    // the (account, region) from scope-q-conn, which runs.
    await saveIn("scope-q", clustersOn("scope-q-tagged", "connections: { tag: env=scoped }"));
    const other = await startWorkflow(stage.t, "scope-q-tagged");
    expect((await waitForRun(stage.t, other)).status).toBe("succeeded");
    expect((await targetsOf(other, "clusters")).map((t) => [t.connection, t.status])).toEqual([
      ["scope-q-conn", "succeeded"],
    ]);
  });

  it("a member who is not in the project cannot see, edit, run or preflight its workflow", async () => {
    await saveIn("scope-p", clustersOn("scope-p-guarded", "connection: scope-conn"));
    const outsider = await signInAsMember(stage.t, "scope-outsider");
    const edit = await stage.t.call("POST", "/api/v1/workflows", {
      token: outsider,
      body: clustersOn("scope-p-guarded", "connection: member-1"),
      headers: { "content-type": "application/yaml" },
    });
    expect(edit.statusCode, edit.body).toBe(403);
    const run = await stage.t.call("POST", "/api/v1/workflows/scope-p-guarded/runs", {
      token: outsider,
      body: { inputs: {} },
    });
    expect(run.statusCode, run.body).toBe(404);
    const preflight = await stage.t.call("POST", "/api/v1/workflows/scope-p-guarded/preflight", {
      token: outsider,
      body: { inputs: {} },
    });
    expect(preflight.statusCode, preflight.body).toBe(404);
    const remove = await stage.t.call("DELETE", "/api/v1/workflows/scope-p-guarded", {
      token: outsider,
    });
    expect(remove.statusCode, remove.body).toBe(404);
    const saving = await stage.t.call("POST", "/api/v1/workflows?project=scope-p", {
      token: outsider,
      body: clustersOn("scope-p-new", "connection: member-1"),
      headers: { "content-type": "application/yaml" },
    });
    expect(saving.statusCode, saving.body).toBe(403);

    // Nothing changed and nothing ran: still version 1, no run of it.
    const detail = await stage.t.call("GET", "/api/v1/workflows/scope-p-guarded");
    expect(detail.json<{ version: number }>().version).toBe(1);
    const runs = await stage.t.call("GET", "/api/v1/runs?workflow=scope-p-guarded");
    expect(runs.json<{ items: unknown[] }>().items).toEqual([]);

    // A member of the project may edit it.
    const edited = await stage.t.call("POST", "/api/v1/workflows", {
      token: insider,
      body: clustersOn("scope-p-guarded", "connection: member-1"),
      headers: { "content-type": "application/yaml" },
    });
    expect(edited.statusCode, edited.body).toBe(200);
  });
});
