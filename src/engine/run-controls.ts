import type { Principal } from "../access/index.js";
import { recordAuditEvent, type RequestContext } from "../audit/index.js";
import { rolesOnEach } from "../connections/index.js";
import { Conflict, Refused } from "../errors.js";
import {
  findVisibleRun,
  isRedrivable,
  isRedrivableTarget,
  isRunFinished,
  type RunStepTable,
} from "../runs/index.js";
import type { EngineDeps } from "./engine-deps.js";
import { RUN_ADVANCE_QUEUE, RUN_TARGET_QUEUE } from "./queues.js";
import { parsePlan } from "./step-plan.js";
import { hasExpression } from "../workflows/index.js";

/**
 * Cancels a run: targets not yet started never will be, the calls in flight are aborted on
 * whichever worker runs them (cancel-watch.ts, within a couple of seconds), and the run finishes
 * `cancelled` once they have stopped.
 */
export async function cancelRun(
  deps: EngineDeps,
  context: RequestContext,
  principal: Principal,
  runId: string,
): Promise<void> {
  const run = await findVisibleRun(deps.db, principal, runId);
  if (isRunFinished(run.status)) {
    throw new Conflict(
      `run ${runId} has already finished (${run.status}); there is nothing to cancel`,
      {
        code: "RUN_FINISHED",
      },
    );
  }
  await stopRun(
    deps,
    runId,
    { code: "RUN_CANCELLED", message: "the run was cancelled before this target ran" },
    { context, action: "run.cancel" },
  );
}

/**
 * Stops a run (a cancel, or its workflow's timeout): targets not yet started never will be, the
 * calls in flight are aborted on whichever worker runs them (the cancel watch of engine.ts, within
 * a couple of seconds), and the run finishes once they have stopped.
 */
export async function stopRun(
  deps: EngineDeps,
  runId: string,
  reason: { code: "RUN_CANCELLED" | "RUN_TIMED_OUT"; message: string },
  audit?: { context: RequestContext; action: string },
): Promise<void> {
  const now = deps.clock.now().toISOString();
  await deps.db.transaction().execute(async (tx) => {
    await tx
      .updateTable("runs")
      .set({
        cancel_requested: 1,
        ...(reason.code === "RUN_CANCELLED" ? {} : { error: JSON.stringify(reason) }),
      })
      .where("id", "=", runId)
      .execute();
    const pending = await tx
      .selectFrom("run_targets")
      .select(["idx", "step_idx"])
      .where("run_id", "=", runId)
      .where("status", "=", "pending")
      .execute();
    if (pending.length > 0) {
      await tx
        .updateTable("run_targets")
        .set({ status: "cancelled", finished_at: now, error: JSON.stringify(reason) })
        .where("run_id", "=", runId)
        .where("status", "=", "pending")
        .execute();
      const perStep = new Map<number, number>();
      for (const t of pending) perStep.set(t.step_idx, (perStep.get(t.step_idx) ?? 0) + 1);
      for (const [stepIdx, n] of perStep) {
        await tx
          .updateTable("run_steps")
          .set((eb) => ({ settled_count: eb("settled_count", "+", n) }))
          .where("run_id", "=", runId)
          .where("idx", "=", stepIdx)
          .execute();
      }
    }
    if (audit !== undefined) {
      await recordAuditEvent(tx, audit.context, {
        action: audit.action,
        objectType: "run",
        objectId: runId,
        outcome: "success",
        detail: { pendingTargets: pending.length, reason: reason.code },
      });
    }
  });
  deps.inFlight.abort(runId);
  await deps.queue.send(RUN_ADVANCE_QUEUE, { runId });
  deps.events.changed(runId);
}

/**
 * Runs a finished run's failed parts again, in the same run: its failed and cancelled targets
 * (each keeps its earlier attempts), its failed and cancelled steps, and the steps skipped after
 * them. Targets reported `unknown` are not sent again: whether they took effect is for a person
 * to check.
 */
export async function redriveRun(
  deps: EngineDeps,
  context: RequestContext,
  principal: Principal,
  runId: string,
): Promise<{ targets: number; steps: number }> {
  const run = await findVisibleRun(deps.db, principal, runId);
  if (!isRedrivable(run.status)) {
    throw new Conflict(
      `run ${runId} is ${run.status}: only a failed, partial or cancelled run can be redriven`,
      { code: "RUN_NOT_REDRIVABLE" },
    );
  }
  const now = deps.clock.now().toISOString();
  const jobs: { data: { runId: string; idx: number }; options: { group?: string } }[] = [];
  let stepsAgain = 0;
  await deps.db.transaction().execute(async (tx) => {
    const steps = await tx
      .selectFrom("run_steps")
      .selectAll()
      .where("run_id", "=", runId)
      .orderBy("idx")
      .execute();
    for (const step of steps) {
      const again = await redriveStep(tx, runId, step, now);
      if (again === undefined) continue;
      stepsAgain += 1;
      for (const t of again)
        jobs.push({
          data: { runId, idx: t.idx },
          options: t.bucket === null ? {} : { group: t.bucket },
        });
    }
    await tx
      .updateTable("runs")
      .set({
        status: "running",
        cancel_requested: 0,
        finished_at: null,
        duration_ms: null,
        error: null,
      })
      .where("id", "=", runId)
      .execute();
    await recordAuditEvent(tx, context, {
      action: "run.redrive",
      objectType: "run",
      objectId: runId,
      outcome: "success",
      detail: { targets: jobs.length, steps: stepsAgain },
    });
  });
  if (jobs.length > 0) await deps.queue.sendMany(RUN_TARGET_QUEUE, jobs);
  await deps.queue.send(RUN_ADVANCE_QUEUE, { runId });
  deps.events.changed(runId);
  return { targets: jobs.length, steps: stepsAgain };
}

async function redriveStep(
  tx: Parameters<Parameters<ReturnType<EngineDeps["db"]["transaction"]>["execute"]>[0]>[0],
  runId: string,
  step: RunStepTable,
  now: string,
): Promise<{ idx: number; bucket: string | null }[] | undefined> {
  const again = ["failed", "partial", "cancelled"].includes(step.status);
  const skippedAfterFailure =
    step.status === "skipped" &&
    step.error !== null &&
    (JSON.parse(step.error) as { code: string }).code === "UPSTREAM_FAILED";
  if (!again && !skippedAfterFailure) return undefined;
  if (step.kind !== "action" || step.first_target_idx === null || skippedAfterFailure) {
    // Not started, or not a fan-out: it starts afresh when the run reaches it.
    await tx
      .updateTable("run_steps")
      .set({
        status: "pending",
        attempt: step.attempt + 1,
        started_at: null,
        finished_at: null,
        duration_ms: null,
        error: null,
        output: null,
        wait_until: null,
        decided_by: null,
        decision_reason: null,
      })
      .where("run_id", "=", runId)
      .where("idx", "=", step.idx)
      .execute();
    if (step.kind === "action" && step.first_target_idx !== null)
      await dropTargets(tx, runId, step.idx);
    return [];
  }
  const targets = await tx
    .selectFrom("run_targets")
    .selectAll()
    .where("run_id", "=", runId)
    .where("step_idx", "=", step.idx)
    .execute();
  const retry = targets.filter((t) => isRedrivableTarget(t.status));
  for (const t of retry) {
    await tx
      .insertInto("run_target_attempts")
      .values({
        run_id: runId,
        idx: t.idx,
        attempt: t.attempt,
        status: t.status,
        duration_ms: t.duration_ms,
        error: t.error,
        request_id: t.request_id,
        aws_session: t.aws_session,
        finished_at: t.finished_at ?? now,
      })
      .execute();
  }
  if (retry.length > 0) {
    await tx
      .updateTable("run_targets")
      .set((eb) => ({
        status: "pending",
        attempt: eb("attempt", "+", 1),
        claim_id: null,
        sent_at: now,
        error: null,
        output: null,
        output_bytes: 0,
        output_truncated: 0,
        duration_ms: 0,
        started_at: null,
        finished_at: null,
      }))
      .where("run_id", "=", runId)
      .where(
        "idx",
        "in",
        retry.map((t) => t.idx),
      )
      .execute();
  }
  await tx
    .updateTable("run_steps")
    .set((eb) => ({
      // A new attempt of the step, timed from the redrive (its earlier one ended when it failed);
      // its runtime (principal, grants) is built afresh for the new attempt.
      status: "running",
      attempt: step.attempt + 1,
      started_at: now,
      finished_at: null,
      duration_ms: null,
      error: null,
      settled_count: eb("settled_count", "-", retry.length),
    }))
    .where("run_id", "=", runId)
    .where("idx", "=", step.idx)
    .execute();
  // A forEach's window holds back all but its first targets, as when the step started.
  const sent = step.window === null ? retry : retry.slice(0, step.window);
  if (retry.length > sent.length) {
    await tx
      .updateTable("run_targets")
      .set({ sent_at: null })
      .where("run_id", "=", runId)
      .where(
        "idx",
        "in",
        retry.slice(sent.length).map((t) => t.idx),
      )
      .execute();
  }
  return sent.map((t) => ({ idx: t.idx, bucket: t.bucket }));
}

async function dropTargets(
  tx: Parameters<Parameters<ReturnType<EngineDeps["db"]["transaction"]>["execute"]>[0]>[0],
  runId: string,
  stepIdx: number,
): Promise<void> {
  await tx
    .deleteFrom("run_targets")
    .where("run_id", "=", runId)
    .where("step_idx", "=", stepIdx)
    .execute();
  await tx
    .updateTable("run_steps")
    .set({ first_target_idx: null, target_count: 0, settled_count: 0, summary: null })
    .where("run_id", "=", runId)
    .where("idx", "=", stepIdx)
    .execute();
}

/**
 * Approves or declines a waiting approval step. Only a holder of the step's grant on each of its
 * deciding connections (fixed when it started to wait: see approval-deciders.ts) decides, or an
 * org admin; and another person than the one who started the run or it runs as approves it,
 * unless the step allows self-approval (declining one's own run is always allowed: it only stops
 * one's own work). The decision, its author and reason are kept on the step and audited.
 */
export async function decideApproval(
  deps: EngineDeps,
  context: RequestContext,
  principal: Principal,
  runId: string,
  decision: { approve: boolean; step?: string | undefined; reason?: string | undefined },
): Promise<void> {
  const run = await findVisibleRunForDecision(deps, principal, runId);
  const waiting = await deps.db
    .selectFrom("run_steps")
    .selectAll()
    .where("run_id", "=", runId)
    .where("status", "=", "waiting")
    .$if(decision.step !== undefined, (q) => q.where("step_id", "=", decision.step ?? ""))
    .executeTakeFirst();
  if (waiting === undefined) {
    throw new Conflict(
      decision.step === undefined
        ? `run ${runId} is not waiting for an approval`
        : `step ${decision.step} of run ${runId} is not waiting for an approval`,
      { code: "NOT_WAITING", ...(decision.step === undefined ? {} : { field: "step" }) },
    );
  }
  const plan = parsePlan(waiting.plan);
  const approval = (
    plan.def as {
      approval: { grant: "executor" | "editor"; connection?: string; allowSelfApproval?: boolean };
    }
  ).approval;
  if (decision.approve && approval.allowSelfApproval !== true) {
    // By user id, never by the name in `actor` (a user created again under a name is another).
    const self =
      run.started_by_user_id === principal.userId
        ? `you started run ${runId}`
        : principal.userId === run.run_as_user_id
          ? `run ${runId} executes as you`
          : undefined;
    if (self !== undefined) {
      throw new Refused(
        "SELF_APPROVAL",
        `another person must decide this approval: ${self} (step ${waiting.step_id} does not set allowSelfApproval)`,
      );
    }
  }
  if (principal.role !== "admin") {
    const names = plan.deciders?.connections ?? (await decidersBefore(deps, runId, approval));
    // No connection to hold a grant on: nobody's grant says they may decide, so only an admin does.
    if (names.length === 0) {
      throw new Refused(
        "FORBIDDEN",
        `step ${waiting.step_id} has no connection whose grant decides it (${
          plan.deciders === undefined && approval.connection !== undefined
            ? "its connection expression was not evaluated when it started to wait"
            : "it names none, and neither the steps after it nor the run so far use one"
        }): only an org admin decides it`,
      );
    }
    const ids = await connectionIds(deps, run.org_id, names);
    const roles = await rolesOnEach(deps.db, principal, [...ids.values()]);
    for (const name of names) {
      const id = ids.get(name);
      if (id === undefined || !(roles.get(id) ?? []).includes(approval.grant)) {
        throw new Refused(
          "FORBIDDEN",
          `approving step ${waiting.step_id} needs the ${approval.grant} role on connection ${name}, which you do not have`,
        );
      }
    }
  }
  const now = deps.clock.now().toISOString();
  await deps.db.transaction().execute(async (tx) => {
    const updated = await tx
      .updateTable("run_steps")
      .set({
        status: decision.approve ? "succeeded" : "failed",
        decided_by: principal.userName,
        decision_reason: decision.reason ?? null,
        finished_at: now,
        duration_ms:
          waiting.started_at === null ? 0 : Date.parse(now) - Date.parse(waiting.started_at),
        output: JSON.stringify({
          approved: decision.approve,
          by: principal.userName,
          reason: decision.reason ?? null,
        }),
        error: decision.approve
          ? null
          : JSON.stringify({
              code: "APPROVAL_DECLINED",
              message: `${principal.userName} declined${decision.reason === undefined ? "" : `: ${decision.reason}`}`,
            }),
      })
      .where("run_id", "=", runId)
      .where("idx", "=", waiting.idx)
      .where("status", "=", "waiting")
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0)
      throw new Conflict(`step ${waiting.step_id} was decided meanwhile`, { code: "NOT_WAITING" });
    await tx
      .updateTable("runs")
      .set({ status: "running" })
      .where("id", "=", runId)
      .where("status", "=", "waiting")
      .execute();
    await recordAuditEvent(tx, context, {
      action: decision.approve ? "run.approve" : "run.decline",
      objectType: "run",
      objectId: runId,
      outcome: "success",
      detail: {
        step: waiting.step_id,
        ...(decision.reason === undefined ? {} : { reason: decision.reason }),
      },
    });
  });
  await deps.queue.send(RUN_ADVANCE_QUEUE, { runId });
  deps.events.changed(runId);
}

/**
 * Who decided an approval that started to wait before its deciders were stored with it: its
 * literal connection, or each connection the run used so far; an expression was never evaluated
 * then, so only an org admin decides such a step.
 */
async function decidersBefore(
  deps: EngineDeps,
  runId: string,
  approval: { connection?: string },
): Promise<string[]> {
  if (approval.connection !== undefined)
    return hasExpression(approval.connection) ? [] : [approval.connection];
  const used = await deps.db
    .selectFrom("run_targets")
    .select("connection_name")
    .distinct()
    .where("run_id", "=", runId)
    .execute();
  return used.map((r) => r.connection_name);
}

/** The ids of the named connections of the org that exist. */
async function connectionIds(
  deps: EngineDeps,
  orgId: string,
  names: string[],
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  // Chunks keep the statement's parameters under SQLite's and PostgreSQL's limits.
  for (let i = 0; i < names.length; i += 500) {
    const rows = await deps.db
      .selectFrom("connections")
      .select(["id", "name"])
      .where("org_id", "=", orgId)
      .where("name", "in", names.slice(i, i + 500))
      .execute();
    for (const row of rows) ids.set(row.name, row.id);
  }
  return ids;
}

/** Approvers are not always who started the run: any org member may find a waiting run to decide. */
async function findVisibleRunForDecision(deps: EngineDeps, principal: Principal, runId: string) {
  const row = await deps.db
    .selectFrom("runs")
    .select(["id", "org_id", "status", "started_by_user_id", "run_as_user_id"])
    .where("id", "=", runId)
    .where("org_id", "=", principal.orgId)
    .executeTakeFirst();
  if (row === undefined) return findVisibleRun(deps.db, principal, runId);
  return row;
}
