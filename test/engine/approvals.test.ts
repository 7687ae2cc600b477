import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import { signInAsMember } from "../helpers/member.js";
import type { TestApp } from "../helpers/test-app.js";
import {
  engineStage,
  saveWorkflow,
  startWorkflow,
  waitForRun,
  type EngineStage,
  type RunView,
} from "./engine-world.js";

type Step = RunView["steps"][number] & {
  approval?: {
    grant: string;
    connection?: string;
    message?: string;
    waitUntil: string | null;
    decidedBy: string | null;
    reason: string | null;
  };
};

const waiting = (run: RunView) => run.status === "waiting";

/** A second org admin: the admin who starts a run may not approve it (another person must). */
async function signInAsAdmin(t: TestApp, name: string): Promise<string> {
  const created = await t.call("POST", "/api/v1/users", {
    body: { name, password: `${name}-password-123`, role: "admin" },
  });
  if (created.statusCode !== 201 && created.statusCode !== 409) throw new Error(created.body);
  return signInAsMember(t, name);
}

interface AuditPage {
  items: { action: string; actor: string; objectId: string | null; detail: unknown }[];
}

function approvalWorkflow(name: string): string {
  return `name: ${name}
steps:
  - id: clusters
    action: aws.ecs.listClusters
    connection: member-1
    region: us-east-1
  - id: confirm
    approval:
      grant: executor
      connection: member-1
      message: count the clusters?
  - id: count
    transform: \${{ $count(steps.clusters.targets[status = "succeeded"]) }}
`;
}

describeEachDatabase("approval steps", (suite) => {
  let stage: EngineStage;
  beforeAll(async () => {
    stage = await engineStage(suite.handle().db, 2);
  });
  afterAll(async () => {
    await stage.close();
  });

  it("waits for a holder of the grant; another admin's approval with a reason finishes the run", async () => {
    await saveWorkflow(stage.t, approvalWorkflow("approval-approved"));
    const id = await startWorkflow(stage.t, "approval-approved");
    const paused = await waitForRun(stage.t, id, waiting);
    const confirm = paused.steps[1] as Step;
    expect(paused.steps.map((s) => [s.id, s.status])).toEqual([
      ["clusters", "succeeded"],
      ["confirm", "waiting"],
      ["count", "pending"],
    ]);
    expect(confirm.approval).toMatchObject({
      grant: "executor",
      connection: "member-1",
      message: "count the clusters?",
      decidedBy: null,
      reason: null,
    });
    expect(confirm.approval?.waitUntil).toEqual(expect.any(String));

    // A member without executor on member-1 may not decide.
    const viewer = await signInAsMember(stage.t, "approval-outsider");
    const refused = await stage.t.call("POST", `/api/v1/runs/${id}/approve`, {
      token: viewer,
      body: { reason: "looks fine to me" },
    });
    expect(refused.statusCode, refused.body).toBe(403);
    expect(refused.json<{ error: { message: string } }>().error.message).toContain("member-1");
    expect((await waitForRun(stage.t, id, waiting)).steps[1]?.status).toBe("waiting");

    // The admin who started it may not approve it: another person must.
    const own = await stage.t.call("POST", `/api/v1/runs/${id}/approve`, {
      body: { reason: "change 4711" },
    });
    expect(own.statusCode, own.body).toBe(403);
    expect(own.json<{ error: { code: string } }>().error.code).toBe("SELF_APPROVAL");

    const admin = await signInAsAdmin(stage.t, "approval-admin");
    const approved = await stage.t.call("POST", `/api/v1/runs/${id}/approve`, {
      token: admin,
      body: { reason: "change 4711" },
    });
    expect(approved.statusCode, approved.body).toBe(200);
    const run = await waitForRun(stage.t, id);
    expect(run.status, JSON.stringify(run)).toBe("succeeded");
    expect(run.steps.map((s) => [s.id, s.status])).toEqual([
      ["clusters", "succeeded"],
      ["confirm", "succeeded"],
      ["count", "succeeded"],
    ]);
    const decided = run.steps[1] as Step;
    expect(decided.approval).toMatchObject({ decidedBy: "approval-admin", reason: "change 4711" });
    expect(decided.output).toEqual({ approved: true, by: "approval-admin", reason: "change 4711" });
    expect(run.steps[2]?.output).toBe(1);

    // Deciding again: nothing waits any more.
    const again = await stage.t.call("POST", `/api/v1/runs/${id}/decline`, { body: {} });
    expect(again.statusCode).toBe(409);
    expect(again.json<{ error: { code: string } }>().error.code).toBe("NOT_WAITING");

    const audit = await stage.t.call("GET", `/api/v1/audit?action=run.approve&objectId=${id}`);
    expect(audit.statusCode, audit.body).toBe(200);
    expect(audit.json<AuditPage>().items).toEqual([
      expect.objectContaining({
        action: "run.approve",
        actor: "user:approval-admin",
        objectId: id,
        detail: { step: "confirm", reason: "change 4711" },
      }),
    ]);
    const outsider = await stage.t.call(
      "GET",
      `/api/v1/audit?action=run.approve&actor=user:approval-outsider`,
    );
    expect(outsider.json<AuditPage>().items).toEqual([]);
  });

  it("a member holding the grant on the approval's connection may approve", async () => {
    const member = "approval-holder";
    const token = await signInAsMember(stage.t, member);
    const granted = await stage.t.call("PUT", "/api/v1/connections/member-1/grants", {
      body: [{ principal: `user:${member}`, role: "executor" }],
    });
    expect(granted.statusCode, granted.body).toBe(200);
    try {
      await saveWorkflow(stage.t, approvalWorkflow("approval-by-holder"));
      const id = await startWorkflow(stage.t, "approval-by-holder");
      await waitForRun(stage.t, id, waiting);
      const approved = await stage.t.call("POST", `/api/v1/runs/${id}/approve`, {
        token,
        body: { step: "confirm", reason: "on call" },
      });
      expect(approved.statusCode, approved.body).toBe(200);
      const run = await waitForRun(stage.t, id);
      expect(run.status, JSON.stringify(run)).toBe("succeeded");
      expect((run.steps[1] as Step).approval).toMatchObject({
        decidedBy: member,
        reason: "on call",
      });
      const audit = await stage.t.call("GET", `/api/v1/audit?action=run.approve&objectId=${id}`);
      expect(audit.json<AuditPage>().items).toEqual([
        expect.objectContaining({ actor: `user:${member}`, objectId: id }),
      ]);
    } finally {
      await stage.t.call("PUT", "/api/v1/connections/member-1/grants", { body: [] });
    }
  });

  it("a declined approval fails the run and skips the steps after it", async () => {
    await saveWorkflow(stage.t, approvalWorkflow("approval-declined"));
    const id = await startWorkflow(stage.t, "approval-declined");
    await waitForRun(stage.t, id, waiting);
    const declined = await stage.t.call("POST", `/api/v1/runs/${id}/decline`, {
      body: { step: "confirm", reason: "not during the freeze" },
    });
    expect(declined.statusCode, declined.body).toBe(200);
    const run = await waitForRun(stage.t, id);
    expect(run.status, JSON.stringify(run)).toBe("failed");
    expect(run.steps.map((s) => [s.id, s.status, s.error?.code])).toEqual([
      ["clusters", "succeeded", undefined],
      ["confirm", "failed", "APPROVAL_DECLINED"],
      ["count", "skipped", "UPSTREAM_FAILED"],
    ]);
    expect((run.steps[1] as Step).approval).toMatchObject({
      decidedBy: "admin",
      reason: "not during the freeze",
    });
    const audit = await stage.t.call("GET", `/api/v1/audit?action=run.decline&objectId=${id}`);
    expect(audit.json<AuditPage>().items).toEqual([
      expect.objectContaining({
        action: "run.decline",
        objectId: id,
        detail: { step: "confirm", reason: "not during the freeze" },
      }),
    ]);
  });

  it("a declined run redriven asks again, and runs the skipped steps once approved", async () => {
    await saveWorkflow(stage.t, approvalWorkflow("approval-redriven"));
    const id = await startWorkflow(stage.t, "approval-redriven");
    await waitForRun(stage.t, id, waiting);
    await stage.t.call("POST", `/api/v1/runs/${id}/decline`, { body: { reason: "not yet" } });
    expect((await waitForRun(stage.t, id)).status).toBe("failed");
    const before = stage.emulator.counters().total;
    const redrive = await stage.t.call("POST", `/api/v1/runs/${id}/redrive`);
    expect(redrive.statusCode, redrive.body).toBe(202);
    const asking = await waitForRun(stage.t, id, waiting);
    expect(asking.steps.map((s) => [s.id, s.status])).toEqual([
      ["clusters", "succeeded"],
      ["confirm", "waiting"],
      ["count", "pending"],
    ]);
    expect((asking.steps[1] as Step).approval).toMatchObject({ decidedBy: null, reason: null });
    const admin = await signInAsAdmin(stage.t, "approval-admin");
    const approved = await stage.t.call("POST", `/api/v1/runs/${id}/approve`, {
      token: admin,
      body: { reason: "now" },
    });
    expect(approved.statusCode, approved.body).toBe(200);
    const run = await waitForRun(stage.t, id);
    expect(run.status, JSON.stringify(run)).toBe("succeeded");
    expect(run.steps[2]?.output).toBe(1);
    // The succeeded read was not sent again.
    expect(stage.emulator.counters().total).toBe(before);
  });

  it("an approval nobody decides in time fails the run", async () => {
    await saveWorkflow(
      stage.t,
      `name: approval-timed-out
steps:
  - id: confirm
    approval: { connection: member-1, timeout: 1s }
  - id: after
    transform: \${{ 1 }}
`,
    );
    const id = await startWorkflow(stage.t, "approval-timed-out");
    const run = await waitForRun(stage.t, id, undefined, 30_000);
    expect(run.status, JSON.stringify(run)).toBe("failed");
    expect(run.steps.map((s) => [s.id, s.status, s.error?.code])).toEqual([
      ["confirm", "failed", "APPROVAL_TIMED_OUT"],
      ["after", "skipped", "UPSTREAM_FAILED"],
    ]);
    const late = await stage.t.call("POST", `/api/v1/runs/${id}/approve`, { body: {} });
    expect(late.statusCode).toBe(409);
  });

  it("a grant revoked while the run waits stops the next step, naming the connection", async () => {
    const member = "approval-revoked";
    const token = await signInAsMember(stage.t, member);
    const granted = await stage.t.call("PUT", "/api/v1/connections/member-2/grants", {
      body: [{ principal: `user:${member}`, role: "executor" }],
    });
    expect(granted.statusCode, granted.body).toBe(200);
    await saveWorkflow(
      stage.t,
      `name: approval-grant-revoked
steps:
  - id: before
    action: aws.ecs.listClusters
    connection: member-2
    region: us-east-1
  - id: pause
    approval: { grant: executor, connection: member-2 }
  - id: after
    action: aws.ec2.describeInstances
    connection: member-2
    region: us-east-1
`,
    );
    const started = await stage.t.call("POST", "/api/v1/workflows/approval-grant-revoked/runs", {
      token,
      body: { inputs: {} },
    });
    expect(started.statusCode, started.body).toBe(202);
    const id = started.json<{ id: string }>().id;
    const paused = await waitForRun(stage.t, id, waiting);
    expect(paused.steps[0]?.status).toBe("succeeded");

    const revoked = await stage.t.call("PUT", "/api/v1/connections/member-2/grants", {
      body: [],
    });
    expect(revoked.statusCode, revoked.body).toBe(200);
    const approved = await stage.t.call("POST", `/api/v1/runs/${id}/approve`, { body: {} });
    expect(approved.statusCode, approved.body).toBe(200);

    const run = await waitForRun(stage.t, id);
    expect(run.status, JSON.stringify(run)).toBe("failed");
    const after = run.steps[2];
    expect(after?.status).toBe("failed");
    expect(after?.error, JSON.stringify(after)).toBeDefined();
    expect(after?.error?.code).toBe("FORBIDDEN");
    expect(after?.error?.message).toContain("member-2");
    expect(after?.error?.message).toContain(member);
    // Nothing of step 2 reached AWS.
    expect(after?.targetCount).toBe(0);
  });
});
