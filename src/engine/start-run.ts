import { actorOf, type Principal } from "../access/index.js";
import type { Insertable, Transaction } from "kysely";
import { auditEventRow, type RequestContext } from "../audit/index.js";
import type { Database } from "../db/index.js";
import type { Target } from "../fan-out/index.js";
import { newId } from "../ids.js";
import { sealRecord } from "../keystore/index.js";
import { summarize, type RunStepTable, type RunTable, type TargetStatus } from "../runs/index.js";
import type { EngineDeps } from "./engine-deps.js";
import { RUN_ADVANCE_QUEUE, RUN_TARGET_QUEUE } from "./queues.js";
import { runInputScope } from "./run-context.js";
import type { ActionPlan, StepPlan } from "./step-plan.js";
import { insertTargetRows, ROWS_PER_INSERT, targetJobs, targetRow } from "./step-targets.js";

export interface StartRunSpec {
  kind: "action" | "workflow";
  /** Who started it, as the audit log names actors: user:NAME, schedule, webhook. */
  actor: string;
  /** Whom it executes as. */
  runAs: Principal;
  /**
   * The id of the user who started it (members see their runs by it, never by the name in
   * `actor`); by default runAs when `actor` names them, else none (schedule, webhook).
   */
  startedByUserId?: string | null;
  trigger: "manual" | "api" | "schedule" | "webhook";
  actionId?: string;
  workflow?: { id: string; name: string; version: number };
  steps: StepPlan[];
  /** The input as given: sealed for the workers, never stored in clear. */
  input: unknown;
  /** The input as shown (secrets redacted). */
  inputShown: unknown;
  /**
   * A single action's one step, its targets chosen and checked before the run exists (so a
   * refused run is an API error, not a run): the step starts with the run.
   */
  firstStep?: { targets: Target[]; action: ActionPlan };
  /** The workflow's timeout: the run stops and fails once it has run this long. */
  timeoutMs?: number;
  /** The run's id, when the caller needs it before the run exists. */
  runId?: string;
  /** When it started, when that was before it is written (a single read written with its end). */
  startedAt?: Date;
  /**
   * The queue job (from `claimNew`) that already holds the first step's targets: they are
   * written started by it, and no job is sent for them (a single action run in its request).
   */
  claimedBy?: string;
}

export interface StartedRun {
  runId: string;
}

/** A run's rows as it starts: what `startRun` writes. */
export interface RunRows {
  runId: string;
  run: Insertable<RunTable>;
  steps: Insertable<RunStepTable>[];
  targets: ReturnType<typeof targetRow>[];
  audit: ReturnType<typeof auditEventRow>;
}

/**
 * Writes a run — its row, its steps, and a single action's targets — in one transaction, audited,
 * then hands it to the queue. Nothing is sent to AWS here.
 */
export async function startRun(
  deps: EngineDeps,
  context: RequestContext,
  spec: StartRunSpec,
): Promise<StartedRun> {
  const rows = runRows(deps, context, spec);
  const { runId, run: runRow, steps: stepRows, targets: targetRows, audit } = rows;
  const first = spec.firstStep;
  // Not settled when it starts (skipped, refused): to be sent, or already held by a claimNew job.
  const pending = targetRows.filter((r) => r.status === "pending" || r.status === "started").length;
  const toSend = targetRows.filter((r) => r.status === "pending");

  if (deps.queue.dialect === "postgres" && targetRows.length <= ROWS_PER_INSERT) {
    // One statement instead of BEGIN, three or four INSERTs and COMMIT: PostgreSQL runs a
    // statement's data-modifying CTEs as one atomic unit, and checks the steps' and targets'
    // foreign keys to the run at its end. Each round trip cost the API server CPU on every start.
    const withSteps = deps.db
      .with("run", (db) => db.insertInto("runs").values(runRow))
      .with("steps", (db) => db.insertInto("run_steps").values(stepRows));
    const withTargets =
      targetRows.length === 0
        ? withSteps
        : // Only the CTE's name is added to the type, and nothing reads it.
          (withSteps.with("targets", (db) =>
            db.insertInto("run_targets").values(targetRows),
          ) as unknown as typeof withSteps);
    await withTargets.insertInto("audit_events").values(audit).execute();
  } else {
    await deps.db.transaction().execute((tx) => insertRunRows(tx, rows));
  }

  if (spec.timeoutMs !== undefined) {
    // Wakes the run when its time is up.
    await deps.queue.send(
      RUN_ADVANCE_QUEUE,
      { runId },
      {
        startAfterSeconds: Math.ceil(spec.timeoutMs / 1000) + 1,
      },
    );
  }
  if (first === undefined || pending === 0) {
    await deps.queue.send(RUN_ADVANCE_QUEUE, { runId });
  } else if (toSend.length > 0) {
    await deps.queue.sendMany(RUN_TARGET_QUEUE, targetJobs(toSend));
  }
  return { runId };
}

/** Writes a run's rows as they start, inside the caller's transaction. */
export async function insertRunRows(tx: Transaction<Database>, rows: RunRows): Promise<void> {
  await tx.insertInto("runs").values(rows.run).execute();
  await tx.insertInto("run_steps").values(rows.steps).execute();
  await insertTargetRows(tx, rows.targets);
  await tx.insertInto("audit_events").values(rows.audit).execute();
}

/** The rows of a run as it starts. */
export function runRows(deps: EngineDeps, context: RequestContext, spec: StartRunSpec): RunRows {
  const runId = spec.runId ?? newId();
  const startedAt = spec.startedAt ?? deps.clock.now();
  const now = startedAt.toISOString();
  const orgId = spec.runAs.orgId;
  const first = spec.firstStep;
  const targetRows =
    first === undefined
      ? []
      : first.targets.map((t, idx) => {
          const row = targetRow(runId, 0, idx, t, null, now);
          return spec.claimedBy === undefined || row.status !== "pending"
            ? row
            : { ...row, status: "started" as const, claim_id: spec.claimedBy, started_at: now };
        });
  const presetStatuses = targetRows
    .map((r) => r.status)
    .filter((s): s is TargetStatus => s !== "pending" && s !== "started");

  const runRow: Insertable<RunTable> = {
    id: runId,
    org_id: orgId,
    kind: spec.kind,
    action_id: spec.actionId ?? "",
    actor: spec.actor,
    status: first === undefined ? "queued" : "running",
    input: JSON.stringify(spec.inputShown ?? null),
    input_sealed: sealRecord(deps.keystore.keyring, runInputScope(orgId, runId), spec.input),
    target_count: targetRows.length,
    started_at: now,
    finished_at: null,
    duration_ms: null,
    summary: null,
    owner_id: null,
    workflow_id: spec.workflow?.id ?? null,
    workflow_name: spec.workflow?.name ?? null,
    workflow_version: spec.workflow?.version ?? null,
    run_as_user_id: spec.runAs.userId,
    started_by_user_id:
      spec.startedByUserId ?? (spec.actor === actorOf(spec.runAs) ? spec.runAs.userId : null),
    trigger: spec.trigger,
    cancel_requested: 0,
    error: null,
    deadline_at:
      spec.timeoutMs === undefined
        ? null
        : new Date(startedAt.getTime() + spec.timeoutMs).toISOString(),
  };
  const stepRows: Insertable<RunStepTable>[] = spec.steps.map((plan, idx) => {
    const started = idx === 0 && first !== undefined;
    return {
      run_id: runId,
      idx,
      step_id: plan.def.id,
      kind: stepKindOf(plan),
      status: started ? ("running" as const) : ("pending" as const),
      attempt: 1,
      started_at: started ? now : null,
      finished_at: null,
      duration_ms: null,
      first_target_idx: started ? 0 : null,
      target_count: started ? targetRows.length : 0,
      settled_count: started ? presetStatuses.length : 0,
      summary: started ? JSON.stringify(summarize(presetStatuses)) : null,
      output: null,
      error: null,
      plan: JSON.stringify(started ? { ...plan, action: first.action } : plan),
      input_sealed: null,
      wait_until: null,
      decided_by: null,
      decision_reason: null,
    };
  });
  const audit = auditEventRow(
    context,
    {
      action: "run.start",
      objectType: "run",
      objectId: runId,
      outcome: "success",
      detail: {
        kind: spec.kind,
        trigger: spec.trigger,
        runAs: spec.runAs.userName,
        ...(spec.actionId === undefined ? {} : { action: spec.actionId }),
        ...(spec.workflow === undefined
          ? {}
          : { workflow: spec.workflow.name, version: spec.workflow.version }),
        targets: targetRows.length,
      },
    },
    // A single read written with its end: stamped when it started, as its run is.
    spec.startedAt,
  );

  return {
    runId,
    run: runRow,
    steps: stepRows,
    targets: targetRows,
    audit,
  };
}

function stepKindOf(plan: StepPlan): "action" | "transform" | "http" | "approval" {
  const def = plan.def as Record<string, unknown>;
  if ("action" in def) return "action";
  if ("transform" in def) return "transform";
  if ("http" in def) return "http";
  return "approval";
}
