import { sql, type Transaction } from "kysely";
import type { PreparedAction, TargetResult } from "../actions/index.js";
import type { RequestContext } from "../audit/index.js";
import { runTarget } from "../fan-out/index.js";
import type { Database } from "../db/index.js";
import { newId } from "../ids.js";
import { runStatusOf, summarize, type TargetStatus } from "../runs/index.js";
import { actionStepOutcome, recordRunFinished } from "./advance-run.js";
import type { EngineDeps } from "./engine-deps.js";
import { RUN_ADVANCE_QUEUE, RUN_TARGET_QUEUE, type RunTargetJob } from "./queues.js";
import { insertRunRows, runRows, startRun, type RunRows, type StartRunSpec } from "./start-run.js";
import { runActor } from "./step-runtime.js";
import type { RunOutcomeView } from "./wait-for-run.js";

// The queue's group bounds the call, as it bounds a worker's.
const PASS_THROUGH = { run: <T>(_key: string, fn: () => Promise<T>) => fn() };

// A read still out this long after its first request left is put on record while AWS answers;
// one answered sooner is written with its end. Written at once, the record held every answer
// back by its own duration (about 0.4 ms) when AWS answered faster than that.
const READ_ON_RECORD_AFTER_MS = 5;

/**
 * A single action on one target, run in the request that asked for it. It is a run like any
 * other — on record, its target started by a queue job — but the job is claimed by this process
 * as it is created (`claimNew`, within the target's (account, region, service) bound), so no
 * worker has to pick it up, and the target's result, its step's end and its run's end are one
 * transaction. An action that can change something is on record before its request leaves,
 * and its end before it is answered. A read is put on record once it has been out
 * READ_ON_RECORD_AFTER_MS, while AWS answers (better-sqlite3 writes on the event loop: written
 * first, the record held the request back by its own duration), or else with its end; it is
 * answered before its end is written (`endAfterAnswer`). If this process dies on the way, the
 * job's lease runs out and a worker takes the target as any redelivered one (a read runs again,
 * a write is reported `unknown`); a read that died before it was on record leaves nothing to
 * take (its job finds no target), like a request that died before its run was written.
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
  const startedAt = deps.clock.now();
  const start = { ...spec, runId, claimedBy: job.id, startedAt };
  let recorded: Promise<unknown> | undefined;
  // Once the call has ended, a late `onSent` (queued with setImmediate) records nothing: the
  // run's start is then written with its end.
  let callEnded = false;
  const record = () => {
    recorded ??= startRun(deps, context, start);
    // Awaited below: a failure while the call is out is not an unhandled rejection meanwhile.
    recorded.catch(() => undefined);
    return recorded;
  };
  let failure: unknown;
  let handedOver = false;
  try {
    if (spec.firstStep.action.write) await record();
    const signal = deps.inFlight.enter(runId);
    let recordTimer: NodeJS.Timeout | undefined;
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
        onSent: () => {
          if (callEnded) return;
          recordTimer = setTimeout(() => void record(), READ_ON_RECORD_AFTER_MS);
        },
      });
    } finally {
      callEnded = true;
      clearTimeout(recordTimer);
      deps.inFlight.leave(runId);
    }
    const status: TargetStatus =
      outcome.cancelled !== undefined ? "cancelled" : outcome.result.status;
    const result: TargetResult = { ...outcome.result, status };
    const now = deps.clock.now();
    const end: RunEnd = {
      runId,
      jobId: job.id,
      spec,
      result,
      stored: outcome,
      finishedAt: now.toISOString(),
      durationMs: now.getTime() - startedAt.getTime(),
    };
    if (!spec.firstStep.action.write && status !== "cancelled") {
      // A read not on record yet (answered sooner, or nothing sent) has its start written with
      // its end.
      const onRecord = recorded !== undefined;
      await recorded;
      const answer = await endAfterAnswer(
        deps,
        end,
        onRecord ? undefined : () => runRows(deps, context, start),
        (error) => deps.queue.complete(job, error),
      );
      handedOver = true;
      return { runId, outcome: answer };
    }
    // On record before its end (a cancelled read was: a cancel finds only runs on record).
    await record();
    const finished = await deps.db.transaction().execute((tx) => writeEnd(tx, end, false));
    if (finished === "advance") await deps.queue.send(RUN_ADVANCE_QUEUE, { runId });
    deps.events.changed(runId);
    return finished === undefined || finished === "advance"
      ? { runId }
      : { runId, outcome: finished };
  } catch (error) {
    // The job runs again on a worker, which finds the target claimed by it (a redelivery) if it
    // is on record, and nothing to do if not.
    failure = error;
    throw error;
  } finally {
    if (!handedOver) deps.queue.complete(job, failure);
  }
}

interface RunEnd {
  runId: string;
  jobId: string;
  spec: StartRunSpec;
  result: TargetResult;
  stored: { stored: string | null; bytes: number };
  finishedAt: string;
  durationMs: number;
}

/** The run as answered once its one target has settled. */
function outcomeOf(end: RunEnd) {
  const summary = summarize([end.result.status]);
  const step = actionStepOutcome(summary);
  const status = runStatusOf([{ status: step.status, continueOnError: false }], false);
  const view: RunOutcomeView = {
    id: end.runId,
    status,
    durationMs: end.durationMs,
    summary,
    results: [end.result],
  };
  return { summary, step, view };
}

/**
 * A read's end — and its start, when `start` gives its rows (not on record yet) — written just
 * after its answer has left: the caller answers with the outcome this resolves to, and the
 * transaction that writes it is open by then and commits once this turn of the event loop is
 * over (setImmediate), so the answer does not wait for it. Holding the database connection from
 * before the answer, it is the next thing this process reads or writes: no request sees the run
 * still running, or missing, after its answer. A cancel that comes once the call has ended
 * finds nothing left to stop, and the run ends as answered. A failed write is tried once more
 * (the database busy with another process); if that fails too, or this process dies first, a
 * read that was on record runs again on its job, and one that was not leaves nothing.
 */
async function endAfterAnswer(
  deps: EngineDeps,
  end: RunEnd,
  start: (() => RunRows) | undefined,
  complete: (error?: unknown) => void,
): Promise<RunOutcomeView> {
  const answered = new Promise<void>((resolve) => setImmediate(resolve));
  let holding: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (holding = resolve));
  const write = async (tx: Transaction<Database>) => {
    if (start !== undefined) await insertRunRows(tx, start());
    return writeEnd(tx, end, true);
  };
  const written = deps.db.transaction().execute(async (tx) => {
    holding();
    await answered;
    return write(tx);
  });
  written
    .catch((error: unknown) => {
      holding();
      deps.logger.warn({ err: error, runId: end.runId }, "a single read's end: writing it again");
      return deps.db.transaction().execute(write);
    })
    .then(
      (ended) => {
        if (ended === undefined)
          deps.logger.warn(
            { runId: end.runId },
            "a single read's target was settled by another worker (its lease had run out)",
          );
        deps.events.changed(end.runId);
        complete();
      },
      (error: unknown) => {
        deps.logger.error(
          { err: error, runId: end.runId },
          start === undefined
            ? "a single read's end was not written: its job runs the read again"
            : "a single read was answered but not written: it is not on record",
        );
        complete(error);
      },
    )
    .catch((error: unknown) => {
      // `complete` after the queue stopped without waiting (a forced stop): nothing to hand back.
      deps.logger.error({ err: error, runId: end.runId }, "a single read's job was not completed");
    });
  await held;
  return outcomeOf(end).view;
}

/**
 * The target's result, its step's end and its run's end. Undefined when the target was settled
 * by someone else; "advance" when a cancel came while the call was out (the run ends through the
 * queue), unless the run was `answered` already.
 */
async function writeEnd(
  tx: Transaction<Database>,
  end: RunEnd,
  answered: boolean,
): Promise<RunOutcomeView | "advance" | undefined> {
  const { runId, result, finishedAt, durationMs } = end;
  const { summary, step, view } = outcomeOf(end);
  const { status } = view;
  const settled = await tx
    .updateTable("run_targets")
    .set({
      status: result.status,
      duration_ms: Math.round(result.durationMs),
      output: end.stored.stored,
      output_bytes: end.stored.bytes,
      output_truncated: result.outputTruncated === true ? 1 : 0,
      error: result.error === undefined ? null : JSON.stringify(result.error),
      aws_session: result.awsSession ?? null,
      finished_at: finishedAt,
    })
    .where("run_id", "=", runId)
    .where("idx", "=", 0)
    .where("status", "=", "started")
    .where("claim_id", "=", end.jobId)
    .executeTakeFirst();
  // Settled by someone else (a cancel that stopped it): they count it and advance the run.
  if (Number(settled.numUpdatedRows) === 0) return undefined;
  if (!answered) {
    const run = await tx
      .selectFrom("runs")
      .select("cancel_requested")
      .where("id", "=", runId)
      .executeTakeFirstOrThrow();
    if (run.cancel_requested === 1) {
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
  }
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
      org_id: end.spec.runAs.orgId,
      actor: end.spec.actor,
      kind: "action",
      action_id: end.spec.actionId ?? "",
      workflow_name: null,
      workflow_version: null,
    },
    status,
    summary,
  );
  return view;
}
