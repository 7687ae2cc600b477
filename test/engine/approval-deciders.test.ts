import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import { signInAsMember } from "../helpers/member.js";
import type { TestApp } from "../helpers/test-app.js";
import {
  engineStage,
  saveWorkflow,
  waitForRun,
  type EngineStage,
  type RunView,
} from "./engine-world.js";

// Who may decide an approval: the holders of its connection's grant (an expression evaluated when
// it starts to wait), or of the connections of the steps it gates; and never, by default, the
// person who started the run or the user it runs as. member-1 is tagged env=dev, member-2 env=prod.

const waiting = (run: RunView) => run.status === "waiting";

/** The connections GET /runs/ID says decide the run's waiting approval. */
function decidersOf(run: RunView, stepId: string): unknown {
  const step = run.steps.find((s) => s.id === stepId) as { approval?: { deciders?: unknown } };
  return step.approval?.deciders;
}

interface ErrorBody {
  error: { code: string; message: string };
}

/** Executor on exactly these connections for these users (each connection's grants replaced). */
async function grantExecutor(t: TestApp, grants: Record<string, string[]>): Promise<void> {
  for (const [connection, users] of Object.entries(grants)) {
    const put = await t.call("PUT", `/api/v1/connections/${connection}/grants`, {
      body: users.map((user) => ({ principal: `user:${user}`, role: "executor" })),
    });
    expect(put.statusCode, put.body).toBe(200);
  }
}

async function startAs(
  t: TestApp,
  token: string | undefined,
  name: string,
  inputs: Record<string, unknown> = {},
): Promise<string> {
  const started = await t.call("POST", `/api/v1/workflows/${name}/runs`, {
    ...(token === undefined ? {} : { token }),
    body: { inputs },
  });
  expect(started.statusCode, started.body).toBe(202);
  return started.json<{ id: string }>().id;
}

async function decide(
  t: TestApp,
  token: string | undefined,
  id: string,
  verb: "approve" | "decline" = "approve",
) {
  return t.call("POST", `/api/v1/runs/${id}/${verb}`, {
    ...(token === undefined ? {} : { token }),
    body: { reason: "checked" },
  });
}

describeEachDatabase("who decides an approval", (suite) => {
  let stage: EngineStage;
  beforeAll(async () => {
    stage = await engineStage(suite.handle().db, 2);
  });
  afterAll(async () => {
    await stage.close();
  });

  it("an approval whose connection is an expression is decided only by holders of the connection it names", async () => {
    const starter = await signInAsMember(stage.t, "expr-starter");
    const devHolder = await signInAsMember(stage.t, "expr-dev");
    const prodHolder = await signInAsMember(stage.t, "expr-prod");
    await grantExecutor(stage.t, {
      "member-1": ["expr-starter", "expr-dev"],
      "member-2": ["expr-prod"],
    });
    await saveWorkflow(
      stage.t,
      `name: approval-expression
inputs:
  gate: { type: string }
steps:
  - id: list
    action: aws.ecs.listClusters
    connection: member-1
    region: us-east-1
  - id: ok
    approval: { connection: "\${{ inputs.gate }}" }
  - id: done
    transform: \${{ "approved" }}
`,
    );
    const id = await startAs(stage.t, starter, "approval-expression", { gate: "member-2" });
    expect(decidersOf(await waitForRun(stage.t, id, waiting), "ok")).toEqual(["member-2"]);

    // A holder of the connection the run used so far (the old fallback) is not one of member-2's.
    const refused = await decide(stage.t, devHolder, id);
    expect(refused.statusCode, refused.body).toBe(403);
    expect(refused.json<ErrorBody>().error).toMatchObject({ code: "FORBIDDEN" });
    expect(refused.json<ErrorBody>().error.message).toContain("connection member-2");
    expect((await waitForRun(stage.t, id, waiting)).steps[1]?.status).toBe("waiting");

    const approved = await decide(stage.t, prodHolder, id);
    expect(approved.statusCode, approved.body).toBe(200);
    const run = await waitForRun(stage.t, id);
    expect(run.status, JSON.stringify(run)).toBe("succeeded");
    expect(run.steps[1]?.output).toEqual({ approved: true, by: "expr-prod", reason: "checked" });
  });

  it("an approval whose expression names no connection of the org fails, saying the value", async () => {
    await saveWorkflow(
      stage.t,
      `name: approval-expression-unknown
inputs:
  gate: { type: string }
steps:
  - id: ok
    approval: { connection: "\${{ inputs.gate }}" }
  - id: done
    transform: \${{ "approved" }}
`,
    );
    const id = await startAs(stage.t, undefined, "approval-expression-unknown", {
      gate: "no-such-connection",
    });
    const run = await waitForRun(stage.t, id);
    expect(run.status, JSON.stringify(run)).toBe("failed");
    expect(run.steps.map((s) => [s.id, s.status, s.error?.code])).toEqual([
      ["ok", "failed", "APPROVAL_CONNECTION_UNKNOWN"],
      ["done", "skipped", "UPSTREAM_FAILED"],
    ]);
    expect(run.steps[0]?.error?.message).toContain('"no-such-connection"');
  });

  it("an approval that started waiting before its deciders were stored, with an expression connection, is decided only by an org admin", async () => {
    const starter = await signInAsMember(stage.t, "legacy-starter");
    const holder = await signInAsMember(stage.t, "legacy-holder");
    await grantExecutor(stage.t, {
      "member-1": ["legacy-starter", "legacy-holder"],
      "member-2": ["legacy-holder"],
    });
    await saveWorkflow(
      stage.t,
      `name: approval-legacy
steps:
  - id: list
    action: aws.ecs.listClusters
    connection: member-1
    region: us-east-1
  - id: ok
    approval: { connection: "\${{ 'member-2' }}" }
`,
    );
    const id = await startAs(stage.t, starter, "approval-legacy");
    await waitForRun(stage.t, id, waiting);
    // As a server before this change left it: the step's plan without its deciders.
    const db = suite.handle().db;
    const row = await db
      .selectFrom("run_steps")
      .select("plan")
      .where("run_id", "=", id)
      .where("step_id", "=", "ok")
      .executeTakeFirstOrThrow();
    const { deciders, ...plan } = JSON.parse(row.plan ?? "{}") as Record<string, unknown>;
    expect(deciders).toEqual({ connections: ["member-2"], from: ["named"] });
    await db
      .updateTable("run_steps")
      .set({ plan: JSON.stringify(plan) })
      .where("run_id", "=", id)
      .where("step_id", "=", "ok")
      .execute();

    const refused = await decide(stage.t, holder, id);
    expect(refused.statusCode, refused.body).toBe(403);
    expect(refused.json<ErrorBody>().error.message).toContain(
      "its connection expression was not evaluated when it started to wait",
    );
    expect(refused.json<ErrorBody>().error.message).toContain("only an org admin decides it");
    const approved = await decide(stage.t, undefined, id);
    expect(approved.statusCode, approved.body).toBe(200);
    expect((await waitForRun(stage.t, id)).status).toBe("succeeded");
  });

  it("the person who started the run may not approve it, another may, and declining one's own run is allowed", async () => {
    const starter = await signInAsMember(stage.t, "self-starter");
    const other = await signInAsMember(stage.t, "self-other");
    await grantExecutor(stage.t, { "member-1": ["self-starter", "self-other"] });
    await saveWorkflow(
      stage.t,
      `name: approval-self
steps:
  - id: list
    action: aws.ecs.listClusters
    connection: member-1
    region: us-east-1
  - id: ok
    approval: { connection: member-1, message: prod change? }
  - id: done
    transform: \${{ "approved" }}
`,
    );
    const id = await startAs(stage.t, starter, "approval-self");
    await waitForRun(stage.t, id, waiting);
    const own = await decide(stage.t, starter, id);
    expect(own.statusCode, own.body).toBe(403);
    expect(own.json<ErrorBody>().error.code).toBe("SELF_APPROVAL");
    expect(own.json<ErrorBody>().error.message).toContain(
      "another person must decide this approval",
    );
    expect((await waitForRun(stage.t, id, waiting)).steps[1]?.status).toBe("waiting");
    const approved = await decide(stage.t, other, id);
    expect(approved.statusCode, approved.body).toBe(200);
    const run = await waitForRun(stage.t, id);
    expect(run.status, JSON.stringify(run)).toBe("succeeded");
    expect(run.steps[1]?.output).toMatchObject({ approved: true, by: "self-other" });

    const second = await startAs(stage.t, starter, "approval-self");
    await waitForRun(stage.t, second, waiting);
    const declined = await decide(stage.t, starter, second, "decline");
    expect(declined.statusCode, declined.body).toBe(200);
    const stopped = await waitForRun(stage.t, second);
    expect(stopped.steps[1]?.error?.code).toBe("APPROVAL_DECLINED");
  });

  it("the user a run executes as may not approve it either, even when an admin started it", async () => {
    const runAs = await signInAsMember(stage.t, "runas-user");
    await grantExecutor(stage.t, { "member-1": ["runas-user"] });
    await saveWorkflow(
      stage.t,
      `name: approval-run-as
runAs: runas-user
steps:
  - id: ok
    approval: { connection: member-1 }
  - id: done
    transform: \${{ "approved" }}
`,
    );
    const id = await startAs(stage.t, undefined, "approval-run-as");
    await waitForRun(stage.t, id, waiting);
    const asUser = await decide(stage.t, runAs, id);
    expect(asUser.statusCode, asUser.body).toBe(403);
    expect(asUser.json<ErrorBody>().error.code).toBe("SELF_APPROVAL");
    // The admin who started it may not either.
    const asStarter = await decide(stage.t, undefined, id);
    expect(asStarter.statusCode, asStarter.body).toBe(403);
    expect(asStarter.json<ErrorBody>().error.code).toBe("SELF_APPROVAL");
    expect((await waitForRun(stage.t, id, waiting)).steps[0]?.status).toBe("waiting");
    await stage.t.call("POST", `/api/v1/runs/${id}/cancel`);
  });

  it("allowSelfApproval lets the person who started the run approve it", async () => {
    const starter = await signInAsMember(stage.t, "allow-starter");
    await grantExecutor(stage.t, { "member-1": ["allow-starter"] });
    await saveWorkflow(
      stage.t,
      `name: approval-allow-self
steps:
  - id: ok
    approval: { connection: member-1, allowSelfApproval: true }
  - id: done
    transform: \${{ "approved" }}
`,
    );
    const id = await startAs(stage.t, starter, "approval-allow-self");
    await waitForRun(stage.t, id, waiting);
    const approved = await decide(stage.t, starter, id);
    expect(approved.statusCode, approved.body).toBe(200);
    const run = await waitForRun(stage.t, id);
    expect(run.status, JSON.stringify(run)).toBe("succeeded");
    expect(run.steps[0]?.output).toMatchObject({ approved: true, by: "allow-starter" });
  });

  it("an approval without a connection is decided by holders of the connections of the steps it gates", async () => {
    const starter = await signInAsMember(stage.t, "gate-starter");
    const devHolder = await signInAsMember(stage.t, "gate-dev");
    const prodHolder = await signInAsMember(stage.t, "gate-prod");
    await grantExecutor(stage.t, {
      "member-1": ["gate-starter", "gate-dev"],
      "member-2": ["gate-starter", "gate-prod"],
    });
    await saveWorkflow(
      stage.t,
      `name: approval-gates-later
steps:
  - id: look
    action: aws.ecs.listClusters
    connection: member-1
    region: us-east-1
  - id: ok
    approval: { message: change prod? }
  - id: change
    action: aws.ecs.listClusters
    connections: { tag: env=prod }
    regions: [us-east-1]
`,
    );
    const id = await startAs(stage.t, starter, "approval-gates-later");
    expect(decidersOf(await waitForRun(stage.t, id, waiting), "ok")).toEqual(["member-2"]);
    // The earlier step's connection (dev) no longer decides: the gated step's (prod) does.
    const dev = await decide(stage.t, devHolder, id);
    expect(dev.statusCode, dev.body).toBe(403);
    expect(dev.json<ErrorBody>().error.message).toContain("connection member-2");
    const prod = await decide(stage.t, prodHolder, id);
    expect(prod.statusCode, prod.body).toBe(200);
    const run = await waitForRun(stage.t, id);
    expect(run.status, JSON.stringify(run)).toBe("succeeded");
    expect(run.steps[2]?.targetCount).toBe(1);
  });

  it("where a gated step's connection is known only when it runs, the connections used before decide too", async () => {
    const starter = await signInAsMember(stage.t, "later-starter");
    const devHolder = await signInAsMember(stage.t, "later-dev");
    const prodHolder = await signInAsMember(stage.t, "later-prod");
    await grantExecutor(stage.t, {
      "member-1": ["later-starter", "later-dev"],
      "member-2": ["later-starter", "later-prod"],
    });
    await saveWorkflow(
      stage.t,
      `name: approval-gates-unknown
steps:
  - id: look
    action: aws.ecs.listClusters
    connection: member-1
    region: us-east-1
  - id: ok
    approval: {}
  - id: pick
    transform: \${{ "member-2" }}
  - id: change
    action: aws.ecs.listClusters
    connection: \${{ steps.pick.output }}
    region: us-east-1
`,
    );
    const id = await startAs(stage.t, starter, "approval-gates-unknown");
    expect(decidersOf(await waitForRun(stage.t, id, waiting), "ok")).toEqual(["member-1"]);
    const prod = await decide(stage.t, prodHolder, id);
    expect(prod.statusCode, prod.body).toBe(403);
    expect(prod.json<ErrorBody>().error.message).toContain("connection member-1");
    const dev = await decide(stage.t, devHolder, id);
    expect(dev.statusCode, dev.body).toBe(200);
    const run = await waitForRun(stage.t, id);
    expect(run.status, JSON.stringify(run)).toBe("succeeded");
  });
});
