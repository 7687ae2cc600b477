import { recordAuditEvent } from "../audit/index.js";
import {
  isRunFinished,
  isStepFinished,
  runStatusOf,
  stepStatusOf,
  summarize,
  type RunStatus,
  type RunStepTable,
  type RunTable,
  type StepStatus,
  type TargetStatus,
  type TargetSummary,
} from "../runs/index.js";
import { sql } from "kysely";
import { jsonRows, type DbOrTx } from "../db/index.js";
import type { EngineDeps } from "./engine-deps.js";
import { RUN_ADVANCE_QUEUE } from "./queues.js";
import { startActionStep } from "./start-action-step.js";
import { conditionHolds, runHttpStep, runTransformStep } from "./inline-steps.js";
import { stopRun } from "./run-controls.js";
import { approvalDeciders } from "./approval-deciders.js";
import { parsePlan } from "./step-plan.js";

type StepRow = Pick<
  RunStepTable,
  | "idx"
  | "step_id"
  | "kind"
  | "status"
  | "plan"
  | "output"
  | "started_at"
  | "target_count"
  | "settled_count"
  | "wait_until"
  | "attempt"
>;

export interface StepOutcome {
  status: StepStatus;
  output?: unknown;
  error?: { code: string; message: string; fix?: string };
  summary?: TargetSummary;
}

/** An action step whose targets have all settled: its status, summary and error. */
export function actionStepOutcome(
  summary: TargetSummary,
): StepOutcome & { summary: TargetSummary } {
  const status = stepStatusOf(summary);
  const bad = summary.failed + summary.refused + summary.unknown;
  return {
    status,
    summary,
    ...(status === "failed" || status === "partial"
      ? {
          error: {
            code: "TARGETS_FAILED",
            message: `${bad} of ${summary.total} targets did not succeed`,
          },
        }
      : {}),
  };
}

function continuesOnError(step: Pick<RunStepTable, "plan">): boolean {
  return (parsePlan(step.plan).def as { onError?: string }).onError === "continue";
}

/**
 * Does the next thing a run needs (a `run.advance` job): starts the next step, finishes a step
 * whose targets have all settled, times out an approval, or finishes the run. It reads the
 * tables and trusts nothing in the job, and every change is a conditional update, so running it
 * twice at once or again after a crash does each thing once.
 */
export async function advanceRun(deps: EngineDeps, runId: string): Promise<void> {
  let known: { run: RunTable; steps: StepRow[] } | undefined;
  for (let guard = 0; guard < 1000; guard += 1) {
    const { run, steps } = known ?? (await readRun(deps, runId)) ?? {};
    known = undefined;
    if (run === undefined || steps === undefined || isRunFinished(run.status)) return;
    if (
      run.cancel_requested === 0 &&
      run.deadline_at !== null &&
      run.deadline_at <= deps.clock.now().toISOString()
    ) {
      await stopRun(deps, run.id, {
        code: "RUN_TIMED_OUT",
        message: `the run passed its workflow's timeout at ${run.deadline_at}; what had not finished was stopped`,
      });
      continue;
    }
    if (run.cancel_requested === 1) {
      await finishCancelled(deps, run, steps);
      return;
    }
    const next = steps.find((s) => !isStepFinished(s.status));
    const failed = steps.find((s) => s.status === "failed" && !continuesOnError(s));
    if (failed !== undefined || next === undefined) {
      await finishRun(deps, run, steps, failed);
      return;
    }
    if (next.status === "pending" && next.kind === "transform") {
      // No I/O: the transforms from here to the next step of another kind are evaluated, then
      // written in one transaction (which checks for a cancel). The loop goes on from what was
      // written, or reads the run again when another advance or a cancel came first.
      known = await runTransforms(deps, run, steps, next);
      continue;
    }
    const changed = await advanceStep(deps, run, steps, next);
    if (!changed) return;
  }
}

async function readRun(
  deps: EngineDeps,
  runId: string,
): Promise<{ run: RunTable; steps: StepRow[] } | undefined> {
  const run = await deps.db
    .selectFrom("runs")
    .selectAll()
    .where("id", "=", runId)
    .executeTakeFirst();
  if (run === undefined) return undefined;
  const steps = await deps.db
    .selectFrom("run_steps")
    .select([
      "idx",
      "step_id",
      "kind",
      "status",
      "plan",
      "output",
      "started_at",
      "target_count",
      "settled_count",
      "wait_until",
      "attempt",
    ])
    .where("run_id", "=", runId)
    .orderBy("idx")
    .execute();
  return { run, steps };
}

/**
 * The pending transform steps from `first` up to the next step of another kind (no I/O): each
 * evaluated from the outputs before it, then all written with their ends in one transaction,
 * which holds only while the run is not cancelled and each step still pending (a crash before
 * the commit leaves them pending, to be evaluated again). A failed one ends the chain.
 */
async function runTransforms(
  deps: EngineDeps,
  run: RunTable,
  steps: StepRow[],
  first: StepRow,
): Promise<{ run: RunTable; steps: StepRow[] } | undefined> {
  const now = deps.clock.now().toISOString();
  const working = steps.map((s) => ({ ...s }));
  const outcomes: {
    idx: number;
    status: StepStatus;
    output: string | null;
    error: string | null;
  }[] = [];
  for (let i = steps.indexOf(first); i < working.length; i += 1) {
    const step = working[i];
    if (step === undefined || step.kind !== "transform" || step.status !== "pending") break;
    const outcome = await startStep(deps, run, working, step);
    if (outcome === "started") throw new Error("a transform step has no targets to wait for");
    const output = outcome.output === undefined ? null : JSON.stringify(outcome.output);
    Object.assign(step, { status: outcome.status, output, started_at: now });
    outcomes.push({
      idx: step.idx,
      status: outcome.status,
      output,
      error: outcome.error === undefined ? null : JSON.stringify(outcome.error),
    });
    if (outcome.status === "failed" && !continuesOnError(step)) break;
  }
  const committed = await deps.db
    .transaction()
    .execute(async (tx) => {
      const current = await tx
        .selectFrom("runs")
        .select("cancel_requested")
        .where("id", "=", run.id)
        .executeTakeFirst();
      if (current === undefined || current.cancel_requested === 1) throw new ChainDropped();
      // One statement for the chain; each row only while its step is still pending.
      const j = jsonRows(deps.queue.dialect, outcomes, {
        idx: "integer",
        status: "text",
        output: "text",
        error: "text",
      });
      const written = await sql<{ idx: number }>`update run_steps set
          status = ${j.col("status")}, started_at = ${now}, finished_at = ${now}, duration_ms = 0,
          output = ${j.col("output")}, error = ${j.col("error")}
        from ${j.from}
        where run_steps.run_id = ${run.id} and run_steps.idx = ${j.col("idx")}
          and run_steps.status = 'pending'
        returning run_steps.idx`.execute(tx);
      // Another advance wrote one first: its outcome stands, this chain is dropped.
      if (written.rows.length !== outcomes.length) throw new ChainDropped();
      if (run.status !== "running") {
        await tx
          .updateTable("runs")
          .set({ status: "running" })
          .where("id", "=", run.id)
          .where("status", "in", ["queued", "running", "waiting"])
          .execute();
      }
      return true;
    })
    .catch((error: unknown) => {
      if (!(error instanceof ChainDropped)) throw error;
      return false;
    });
  deps.events.changed(run.id);
  // As committed: the caller goes on from here without reading the run again.
  return committed ? { run: { ...run, status: "running" }, steps: working } : undefined;
}

/** Rolls back a chain of transforms that another advance or a cancel overtook. */
class ChainDropped extends Error {}

/** Moves one step on; false when it waits (targets in flight, an approval). */
async function advanceStep(
  deps: EngineDeps,
  run: RunTable,
  steps: StepRow[],
  step: StepRow,
): Promise<boolean> {
  const now = deps.clock.now();
  if (step.status === "running" && step.kind === "action") {
    if (step.settled_count < step.target_count) return false;
    await finishStep(
      deps,
      run.id,
      step,
      actionStepOutcome(await stepSummary(deps, run.id, step.idx)),
    );
    return true;
  }
  if (step.status === "waiting") {
    if (step.wait_until !== null && step.wait_until <= now.toISOString()) {
      await finishStep(deps, run.id, step, {
        status: "failed",
        error: {
          code: "APPROVAL_TIMED_OUT",
          message: `nobody approved step ${step.step_id} before ${step.wait_until}`,
        },
      });
      return true;
    }
    if (run.status !== "waiting") await setRunStatus(deps, run.id, "waiting");
    return false;
  }
  if (step.status !== "pending") return false;

  // pending: start it (only one advance may: the update is conditional).
  const claimed = await deps.db
    .updateTable("run_steps")
    .set({ status: "running", started_at: now.toISOString() })
    .where("run_id", "=", run.id)
    .where("idx", "=", step.idx)
    .where("status", "=", "pending")
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) === 0) return false;
  if (run.status !== "running") await setRunStatus(deps, run.id, "running");
  deps.events.changed(run.id);

  const outcome = await startStep(deps, run, steps, step);
  if (outcome === "started") return step.kind === "action" ? true : false;
  await finishStep(deps, run.id, { ...step, started_at: now.toISOString() }, outcome);
  return true;
}

async function startStep(
  deps: EngineDeps,
  run: RunTable,
  steps: StepRow[],
  step: StepRow,
): Promise<StepOutcome | "started"> {
  const plan = parsePlan(step.plan);
  const earlier = steps.filter((s) => s.idx < step.idx);
  try {
    switch (step.kind) {
      case "action":
        return await startActionStep(deps, run, earlier, step, plan);
      case "transform":
        return await runTransformStep(deps, run, earlier, step, plan);
      case "http":
        return await runHttpStep(deps, run, earlier, step, plan);
      case "approval":
        return await openApproval(deps, run, earlier, step, plan);
    }
  } catch (error) {
    return {
      status: "failed",
      error: {
        code: (error as { code?: string }).code ?? "STEP_FAILED",
        message: error instanceof Error ? error.message : String(error),
      },
    };
  }
}

async function openApproval(
  deps: EngineDeps,
  run: RunTable,
  earlier: StepRow[],
  step: StepRow,
  plan: ReturnType<typeof parsePlan>,
): Promise<StepOutcome | "started"> {
  if (!(await conditionHolds(deps, run, earlier, plan))) {
    return {
      status: "skipped",
      error: { code: "CONDITION_FALSE", message: `step ${step.step_id}'s if was false` },
    };
  }
  const approval = (plan.def as { approval: { timeoutMs: number } }).approval;
  const until = new Date(deps.clock.now().getTime() + approval.timeoutMs);
  // Who decides is fixed now (an expression evaluated, the later steps' connections resolved).
  const deciders = await approvalDeciders(deps, run, earlier, step, plan);
  await deps.db.transaction().execute(async (tx) => {
    await tx
      .updateTable("run_steps")
      .set({
        status: "waiting",
        wait_until: until.toISOString(),
        plan: JSON.stringify({ ...plan, deciders }),
      })
      .where("run_id", "=", run.id)
      .where("idx", "=", step.idx)
      .execute();
    await tx.updateTable("runs").set({ status: "waiting" }).where("id", "=", run.id).execute();
    await recordAuditEvent(
      tx,
      { orgId: run.org_id, actor: "engine", sourceIp: null, requestId: `run_${run.id.slice(-12)}` },
      {
        action: "run.approval.requested",
        objectType: "run",
        objectId: run.id,
        outcome: "success",
        detail: { step: step.step_id, until: until.toISOString() },
      },
    );
  });
  // Wakes the run when the approval times out.
  await deps.queue.send(
    RUN_ADVANCE_QUEUE,
    { runId: run.id },
    {
      startAfterSeconds: Math.ceil(approval.timeoutMs / 1000) + 1,
    },
  );
  deps.events.changed(run.id);
  return "started";
}

async function stepSummary(
  deps: EngineDeps,
  runId: string,
  stepIdx: number,
): Promise<TargetSummary> {
  const rows = await deps.db
    .selectFrom("run_targets")
    .select(["status", (eb) => eb.fn.countAll<number>().as("n")])
    .where("run_id", "=", runId)
    .where("step_idx", "=", stepIdx)
    .groupBy("status")
    .execute();
  const statuses: TargetStatus[] = [];
  for (const row of rows) for (let i = 0; i < Number(row.n); i += 1) statuses.push(row.status);
  return summarize(statuses);
}

async function finishStep(
  deps: EngineDeps,
  runId: string,
  step: Pick<StepRow, "idx" | "started_at">,
  outcome: StepOutcome,
): Promise<void> {
  const now = deps.clock.now();
  await deps.db
    .updateTable("run_steps")
    .set({
      status: outcome.status,
      finished_at: now.toISOString(),
      duration_ms: step.started_at === null ? 0 : now.getTime() - Date.parse(step.started_at),
      ...(outcome.summary === undefined ? {} : { summary: JSON.stringify(outcome.summary) }),
      ...(outcome.output === undefined ? {} : { output: JSON.stringify(outcome.output) }),
      error: outcome.error === undefined ? null : JSON.stringify(outcome.error),
    })
    .where("run_id", "=", runId)
    .where("idx", "=", step.idx)
    .where("status", "in", ["running", "waiting", "pending"])
    .execute();
  deps.events.changed(runId);
}

async function setRunStatus(
  deps: EngineDeps,
  runId: string,
  status: "running" | "waiting",
): Promise<void> {
  await deps.db
    .updateTable("runs")
    .set({ status })
    .where("id", "=", runId)
    .where("status", "in", ["queued", "running", "waiting"])
    .execute();
  deps.events.changed(runId);
}

/** The steps after a failed one never run: each is skipped, saying why. */
async function skipRest(
  deps: EngineDeps,
  runId: string,
  steps: StepRow[],
  failed: StepRow | undefined,
): Promise<void> {
  if (failed === undefined) return;
  await deps.db
    .updateTable("run_steps")
    .set({
      status: "skipped",
      error: JSON.stringify({
        code: "UPSTREAM_FAILED",
        message: `step ${failed.step_id} failed, so this step did not run`,
      }),
    })
    .where("run_id", "=", runId)
    .where("idx", ">", failed.idx)
    .where("status", "=", "pending")
    .execute();
}

async function runTotals(deps: EngineDeps, runId: string): Promise<TargetSummary> {
  const rows = await deps.db
    .selectFrom("run_targets")
    .select(["status", (eb) => eb.fn.countAll<number>().as("n")])
    .where("run_id", "=", runId)
    .groupBy("status")
    .execute();
  const statuses: TargetStatus[] = [];
  for (const row of rows) for (let i = 0; i < Number(row.n); i += 1) statuses.push(row.status);
  return summarize(statuses);
}

async function finishRun(
  deps: EngineDeps,
  run: RunTable,
  steps: StepRow[],
  failed: StepRow | undefined,
  cancelled = false,
): Promise<void> {
  await skipRest(deps, run.id, steps, failed);
  // Every step had finished when the run was read (a finished step's status is final), unless
  // some were skipped just now or a cancel stopped them: read those again.
  const finalSteps =
    failed === undefined && !cancelled
      ? steps
      : await deps.db
          .selectFrom("run_steps")
          .select(["status", "plan"])
          .where("run_id", "=", run.id)
          .orderBy("idx")
          .execute();
  const timedOut = run.error !== null && run.error.includes('"RUN_TIMED_OUT"');
  const status = timedOut
    ? "failed"
    : runStatusOf(
        finalSteps.map((s) => ({ status: s.status, continueOnError: continuesOnError(s) })),
        cancelled,
      );
  // Only action steps have targets.
  const summary = steps.some((s) => s.kind === "action")
    ? await runTotals(deps, run.id)
    : summarize([]);
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (tx) => {
    const updated = await tx
      .updateTable("runs")
      .set({
        status,
        finished_at: now.toISOString(),
        duration_ms: now.getTime() - Date.parse(run.started_at),
        summary: JSON.stringify(summary),
        target_count: summary.total,
      })
      .where("id", "=", run.id)
      .where("status", "in", ["queued", "running", "waiting"])
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return;
    await recordRunFinished(tx, run, status, summary);
  });
  deps.events.changed(run.id);
}

/** The audit event of a finished run. */
export async function recordRunFinished(
  tx: DbOrTx,
  run: Pick<
    RunTable,
    "id" | "org_id" | "actor" | "kind" | "action_id" | "workflow_name" | "workflow_version"
  >,
  status: RunStatus,
  summary: TargetSummary,
): Promise<void> {
  await recordAuditEvent(
    tx,
    { orgId: run.org_id, actor: run.actor, sourceIp: null, requestId: `run_${run.id.slice(-12)}` },
    {
      action: run.kind === "action" ? "action.run" : "workflow.run",
      objectType: "run",
      objectId: run.id,
      outcome: status === "failed" ? "failure" : "success",
      detail: {
        status,
        ...(run.kind === "action"
          ? { action: run.action_id }
          : { workflow: run.workflow_name, version: run.workflow_version }),
        targets: summary.total,
        summary,
      },
    },
  );
}

/** A cancelled run: what had not started never will; it finishes once its targets in flight stop. */
async function finishCancelled(deps: EngineDeps, run: RunTable, steps: StepRow[]): Promise<void> {
  const inFlight = await deps.db
    .selectFrom("run_targets")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("run_id", "=", run.id)
    .where("status", "in", ["pending", "started"])
    .executeTakeFirstOrThrow();
  if (Number(inFlight.n) > 0) return;
  const now = deps.clock.now().toISOString();
  for (const step of steps) {
    if (isStepFinished(step.status)) continue;
    const summary =
      step.kind === "action" && step.status === "running"
        ? await stepSummary(deps, run.id, step.idx)
        : undefined;
    await deps.db
      .updateTable("run_steps")
      .set({
        status: "cancelled",
        finished_at: now,
        ...(summary === undefined ? {} : { summary: JSON.stringify(summary) }),
        error: JSON.stringify({ code: "RUN_CANCELLED", message: "the run was cancelled" }),
      })
      .where("run_id", "=", run.id)
      .where("idx", "=", step.idx)
      .execute();
  }
  await finishRun(deps, run, steps, undefined, true);
}
