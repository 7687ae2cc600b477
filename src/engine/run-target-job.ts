import { prepareAction } from "../actions/index.js";
import { classifyAwsError, retryDelayMs, runTarget, type Target } from "../fan-out/index.js";
import { openRecord } from "../keystore/index.js";
import type { EngineDeps } from "./engine-deps.js";
import type { QueueJob } from "./queue.js";
import { RUN_TARGET_QUEUE, type RunTargetJob } from "./queues.js";
import { targetInputScope } from "./run-context.js";
import type { Settlement, TargetSettler } from "./settle-targets.js";
import { stepRuntime } from "./step-runtime.js";

// The queue's group concurrency bounds each bucket across workers; in the job nothing waits.
const PASS_THROUGH = { run: <T>(_key: string, fn: () => Promise<T>) => fn() };

/**
 * Runs one target of a run (a `run.target` job). A target is claimed (pending → started, with the
 * job's id) and that is committed before its request leaves. The same job given again after its
 * worker died finds its own claim: an action that can change something is then reported
 * `unknown` — it may have been sent, and is never sent twice — and a read runs again. Any other
 * job for the target (a duplicate) finds it claimed or settled and does nothing.
 */
export async function runTargetJob(
  deps: EngineDeps,
  settler: TargetSettler,
  job: Pick<QueueJob<RunTargetJob>, "id" | "data">,
  options: { immediate?: boolean } = {},
): Promise<void> {
  const { runId, idx } = job.data;
  const row = await deps.db
    .selectFrom("run_targets as t")
    .innerJoin("runs as r", "r.id", "t.run_id")
    .innerJoin("run_steps as s", (j) =>
      j.onRef("s.run_id", "=", "t.run_id").onRef("s.idx", "=", "t.step_idx"),
    )
    .select([
      "t.status",
      "t.attempt",
      "t.claim_id",
      "t.step_idx",
      "t.connection_name",
      "t.region",
      "t.bucket",
      "t.input_sealed as target_input",
      "r.org_id",
      "r.cancel_requested",
      "r.run_as_user_id",
      "r.input as run_input",
      "r.input_sealed as run_input_sealed",
      "s.attempt as step_attempt",
      "s.plan",
      "s.input_sealed",
    ])
    .where("t.run_id", "=", runId)
    .where("t.idx", "=", idx)
    .executeTakeFirst();
  if (row === undefined || (row.status !== "pending" && row.status !== "started")) return;

  const base = { runId, idx, stepIdx: row.step_idx };
  const settleAs = (status: Settlement["status"], error: unknown) =>
    settler.settle(
      {
        ...base,
        status,
        durationMs: 0,
        output: null,
        outputBytes: 0,
        outputTruncated: false,
        error,
        awsSession: null,
        requestId: null,
      },
      options,
    );

  if (row.cancel_requested === 1) {
    await settleAs("cancelled", {
      code: "RUN_CANCELLED",
      message: "the run was cancelled before this target ran",
    });
    return;
  }
  const runtime = await stepRuntime(deps, {
    run_id: runId,
    org_id: row.org_id,
    idx: row.step_idx,
    attempt: row.step_attempt,
    plan: row.plan,
    input_sealed: row.input_sealed,
    run_as_user_id: row.run_as_user_id,
    run_input: row.run_input,
    run_input_sealed: row.run_input_sealed,
  });

  if (row.status === "started") {
    if (row.claim_id !== job.id) return;
    if (runtime.plan.action.write) {
      await settleAs("unknown", {
        code: "OUTCOME_UNKNOWN",
        message: `${runtime.plan.action.actionId} was sent to ${row.connection_name} in ${row.region}, and the worker running it stopped before AWS's answer was recorded; it is not sent again`,
        fix: "check in AWS (CloudTrail, or the resource itself) whether it took effect, then redrive the run or run the action again",
      });
      return;
    }
  } else {
    const claimed = await deps.db
      .updateTable("run_targets")
      .set({ status: "started", claim_id: job.id, started_at: deps.clock.now().toISOString() })
      .where("run_id", "=", runId)
      .where("idx", "=", idx)
      .where("status", "=", "pending")
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) === 0) return;
  }

  const connection = await runtime.connection(row.connection_name);
  const target: Target =
    connection === undefined
      ? {
          name: row.connection_name,
          region: row.region,
          preset: {
            status: "refused",
            error: {
              code: "FORBIDDEN",
              message: `${runtime.principal.userName} may no longer execute connection ${row.connection_name} (its executor grant was removed, or the connection deleted)`,
            },
          },
        }
      : {
          name: row.connection_name,
          connection,
          region: row.region,
          ...(row.bucket === null ? {} : { bucket: row.bucket }),
        };

  let prepared = runtime.prepared;
  if (prepared === undefined) {
    const input =
      row.target_input === null
        ? {}
        : openRecord(
            deps.keystore.keyring,
            targetInputScope(row.org_id, runId, idx),
            row.target_input,
          );
    try {
      prepared = await prepareAction(runtime.plan.action.actionId, input);
    } catch (error) {
      await settleAs("failed", {
        code: (error as { code?: string }).code ?? "INVALID_INPUT",
        message: error instanceof Error ? error.message : String(error),
      });
      return;
    }
  }

  const runSignal = deps.inFlight.enter(runId);
  const signal =
    runtime.timeoutMs === undefined
      ? runSignal
      : AbortSignal.any([runSignal, AbortSignal.timeout(runtime.timeoutMs)]);
  let outcome;
  try {
    outcome = await runTarget(deps, target, {
      action: prepared.action,
      input: prepared.input,
      access: prepared.access,
      storeOutput: prepared.storeOutput,
      actor: runtime.actor,
      request: { maxItems: runtime.plan.action.maxItems, pageSize: runtime.plan.action.pageSize },
      signal,
      limiter: PASS_THROUGH,
    });
  } finally {
    deps.inFlight.leave(runId);
  }
  const result = outcome.result;
  const timedOut = !runSignal.aborted && signal.aborted;

  if (result.status === "failed" && outcome.cancelled === undefined) {
    // Throttling and AWS's 5xx only: a network error may hide a request AWS received, and
    // anything else would fail again the same way.
    const { kind } = classifyAwsError(result.error ?? {});
    if ((kind === "throttling" || kind === "server") && row.attempt < runtime.retry.attempts) {
      await scheduleRetry(
        deps,
        { runId, idx, attempt: row.attempt, bucket: row.bucket },
        result,
        runtime.retry,
      );
      return;
    }
  }
  await settler.settle(
    {
      ...base,
      status: outcome.cancelled !== undefined && !timedOut ? "cancelled" : result.status,
      durationMs: result.durationMs,
      output: outcome.stored,
      outputBytes: outcome.bytes,
      outputTruncated: result.outputTruncated === true,
      error: timedOut
        ? {
            code: "STEP_TIMED_OUT",
            message: `the step's timeout (${runtime.timeoutMs} ms) passed before AWS answered`,
          }
        : (result.error ?? null),
      awsSession: result.awsSession ?? null,
      requestId: null,
    },
    options,
  );
}

/** Keeps the failed attempt, and runs the target again after a backoff with jitter. */
async function scheduleRetry(
  deps: EngineDeps,
  target: { runId: string; idx: number; attempt: number; bucket: string | null },
  result: { durationMs: number; error?: unknown; awsSession?: string | undefined },
  retry: { baseMs: number; maxMs: number },
): Promise<void> {
  const now = deps.clock.now().toISOString();
  await deps.db.transaction().execute(async (tx) => {
    await tx
      .insertInto("run_target_attempts")
      .values({
        run_id: target.runId,
        idx: target.idx,
        attempt: target.attempt,
        status: "failed",
        duration_ms: Math.round(result.durationMs),
        error: result.error === undefined ? null : JSON.stringify(result.error),
        request_id: null,
        aws_session: result.awsSession ?? null,
        finished_at: now,
      })
      .execute();
    await tx
      .updateTable("run_targets")
      .set({ status: "pending", attempt: target.attempt + 1, claim_id: null })
      .where("run_id", "=", target.runId)
      .where("idx", "=", target.idx)
      .execute();
  });
  const delayMs = retryDelayMs(target.attempt, {
    baseMs: retry.baseMs,
    maxMs: retry.maxMs,
    random: deps.random,
  });
  await deps.queue.send(
    RUN_TARGET_QUEUE,
    { runId: target.runId, idx: target.idx },
    {
      startAfterSeconds: Math.max(0, delayMs / 1000),
      ...(target.bucket === null ? {} : { group: target.bucket }),
    },
  );
  deps.events.changed(target.runId);
}
