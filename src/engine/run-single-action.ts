import { sql } from "kysely";
import type { PreparedAction, TargetResult } from "../actions/index.js";
import type { RequestContext } from "../audit/index.js";
import { runTarget } from "../fan-out/index.js";
import { newId } from "../ids.js";
import { runStatusOf, summarize, type TargetStatus } from "../runs/index.js";
import { actionStepOutcome, recordRunFinished } from "./advance-run.js";
import type { EngineDeps } from "./engine-deps.js";
import { RUN_ADVANCE_QUEUE, RUN_TARGET_QUEUE, type RunTargetJob } from "./queues.js";
import { startRun, type StartRunSpec } from "./start-run.js";
import { runActor } from "./step-runtime.js";
import type { RunOutcomeView } from "./wait-for-run.js";

// The queue's group bounds the call, as it bounds a worker's.
const PASS_THROUGH = { run: <T>(_key: string, fn: () => Promise<T>) => fn() };

/**
 * A single action on one target, run in the request that asked for it. It is a run like any
 * other — on record, its target started by a queue job — but the job is claimed by this process
 * as it is created (`claimNew`, within the target's (account, region, service) bound), so no
 * worker has to pick it up, and the target's result, its step's end and its run's end are one
 * transaction. An action that can change something is on record before its request leaves; a
 * read is put on record just after its first request has left, while AWS answers (better-sqlite3
 * writes on the event loop: written first, it held the request back by its own duration), and
 * before its result is. If this process dies on the way, the job's lease runs out and a worker
 * takes the target as any redelivered one (a read runs again, a write is reported `unknown`).
 *
 * Answers undefined when nothing was written (the driver cannot claim new jobs, or the bound is
 * reached): the caller starts the run through the queue instead. Answers the run's id without
 * its outcome when the run was written but changed under it (a cancel): the caller waits for it.
 */
export async function runSingleAction(
  deps: EngineDeps,
  context: RequestContext,
  spec: StartRunSpec & { firstStep: NonNullable<StartRunSpec["firstStep"]> },
  prepared: PreparedAction,
): Promise<{ runId: string; outcome?: RunOutcomeView } | undefined> {
  const [target] = spec.firstStep.targets;
  if (spec.firstStep.targets.length !== 1 || target === undefined) return undefined;
  if (target.preset !== undefined || target.connection === undefined) return undefined;
  const runId = newId();
  const job = await deps.queue.claimNew<RunTargetJob>(
    RUN_TARGET_QUEUE,
    { runId, idx: 0 },
    target.bucket === undefined ? {} : { group: target.bucket },
  );
  if (job === null) return undefined;
  let recorded: Promise<unknown> | undefined;
  const record = () => {
    recorded ??= startRun(deps, context, { ...spec, runId, claimedBy: job.id });
    // Awaited below: a failure while the call is out is not an unhandled rejection meanwhile.
    recorded.catch(() => undefined);
    return recorded;
  };
  let failure: unknown;
  try {
    if (spec.firstStep.action.write) await record();
    const signal = deps.inFlight.enter(runId);
    let outcome;
    try {
      outcome = await runTarget(deps, target, {
        action: prepared.action,
        input: prepared.input,
        access: prepared.access,
        storeOutput: prepared.storeOutput,
        actor: runActor(spec.runAs, runId),
        request: {
          maxItems: spec.firstStep.action.maxItems,
          pageSize: spec.firstStep.action.pageSize,
        },
        signal,
        limiter: PASS_THROUGH,
        onSent: () => void record(),
      });
    } finally {
      deps.inFlight.leave(runId);
    }
    // On record before its result: written while the call was out, or now if nothing was sent
    // (refused, no credentials).
    await record();
    const status: TargetStatus =
      outcome.cancelled !== undefined ? "cancelled" : outcome.result.status;
    const result: TargetResult = { ...outcome.result, status };
    const finished = await finishRun(deps, { runId, jobId: job.id, spec, result, stored: outcome });
    if (finished === "advance") await deps.queue.send(RUN_ADVANCE_QUEUE, { runId });
    deps.events.changed(runId);
    return finished === undefined || finished === "advance"
      ? { runId }
      : { runId, outcome: finished };
  } catch (error) {
    // The job runs again on a worker, which finds the target claimed by it (a redelivery).
    failure = error;
    throw error;
  } finally {
    deps.queue.complete(job, failure);
  }
}

/** The target's result, its step's end and its run's end, in one transaction. */
async function finishRun(
  deps: EngineDeps,
  run: {
    runId: string;
    jobId: string;
    spec: StartRunSpec;
    result: TargetResult;
    stored: { stored: string | null; bytes: number };
  },
): Promise<RunOutcomeView | "advance" | undefined> {
  const { runId, result } = run;
  const now = deps.clock.now();
  const finishedAt = now.toISOString();
  const summary = summarize([result.status]);
  const step = actionStepOutcome(summary);
  const status = runStatusOf([{ status: step.status, continueOnError: false }], false);
  return deps.db.transaction().execute(async (tx) => {
    const settled = await tx
      .updateTable("run_targets")
      .set({
        status: result.status,
        duration_ms: Math.round(result.durationMs),
        output: run.stored.stored,
        output_bytes: run.stored.bytes,
        output_truncated: result.outputTruncated === true ? 1 : 0,
        error: result.error === undefined ? null : JSON.stringify(result.error),
        aws_session: result.awsSession ?? null,
        finished_at: finishedAt,
      })
      .where("run_id", "=", runId)
      .where("idx", "=", 0)
      .where("status", "=", "started")
      .where("claim_id", "=", run.jobId)
      .executeTakeFirst();
    const started = await tx
      .selectFrom("runs")
      .select(["started_at", "cancel_requested"])
      .where("id", "=", runId)
      .executeTakeFirstOrThrow();
    // Settled by someone else (a cancel that stopped it): they count it and advance the run.
    if (Number(settled.numUpdatedRows) === 0) return undefined;
    if (started.cancel_requested === 1) {
      // Cancelled while the call was out: counted as any settled target, and the run finishes
      // the way every cancelled run does, through the queue (sent once this commits).
      await tx
        .updateTable("run_steps")
        .set({ settled_count: sql<number>`settled_count + 1` })
        .where("run_id", "=", runId)
        .where("idx", "=", 0)
        .execute();
      return "advance" as const;
    }
    const durationMs = now.getTime() - Date.parse(started.started_at);
    await tx
      .updateTable("run_steps")
      .set({
        status: step.status,
        finished_at: finishedAt,
        duration_ms: durationMs,
        settled_count: 1,
        summary: JSON.stringify(summary),
        error: step.error === undefined ? null : JSON.stringify(step.error),
      })
      .where("run_id", "=", runId)
      .where("idx", "=", 0)
      .execute();
    await tx
      .updateTable("runs")
      .set({
        status,
        finished_at: finishedAt,
        duration_ms: durationMs,
        summary: JSON.stringify(summary),
        target_count: 1,
      })
      .where("id", "=", runId)
      .execute();
    await recordRunFinished(
      tx,
      {
        id: runId,
        org_id: run.spec.runAs.orgId,
        actor: run.spec.actor,
        kind: "action",
        action_id: run.spec.actionId ?? "",
        workflow_name: null,
        workflow_version: null,
      },
      status,
      summary,
    );
    return {
      id: runId,
      status,
      durationMs,
      summary,
      results: [result],
    };
  });
}
