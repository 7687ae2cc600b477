import { sql } from "kysely";
import { jsonRows } from "../db/index.js";
import {
  classifyAwsError,
  forManyCalls,
  retryDelayMs,
  runTarget,
  type Target,
} from "../fan-out/index.js";
import { openRecord } from "../keystore/index.js";
import type { EngineDeps } from "./engine-deps.js";
import type { QueueJob } from "./queue.js";
import { RUN_TARGET_QUEUE, type RunTargetJob } from "./queues.js";
import { targetInputScope } from "./run-context.js";
import { MicroBatch } from "./micro-batch.js";
import type { Settlement, TargetSettler } from "./settle-targets.js";
import { stepRuntime } from "./step-runtime.js";
import { prepareTargetAction } from "./target-handlers.js";

// The queue's group concurrency bounds each bucket across workers; in the job nothing waits.
const PASS_THROUGH = { run: <T>(_key: string, fn: () => Promise<T>) => fn() };

interface Claim {
  runId: string;
  idx: number;
  jobId: string;
}

interface ClaimedTarget {
  run_id: string;
  idx: number;
  status: string;
  attempt: number;
  claim_id: string | null;
  step_idx: number;
  connection_name: string;
  region: string;
  bucket: string | null;
  input_sealed: string | null;
}

/** What a target needs of its run and step, read once per step for a whole batch of claims. */
interface StepContext {
  org_id: string;
  cancel_requested: number;
  run_as_user_id: string | null;
  run_input: string;
  run_input_sealed: string | null;
  step_attempt: number;
  plan: string | null;
  input_sealed: string | null;
}

interface ClaimResult {
  target: ClaimedTarget;
  step: StepContext;
  /** The job was given again after its worker died: the target is still claimed by it. */
  redelivered: boolean;
}

/**
 * Claims a batch of targets (pending → started, with each job's id) in one statement, and reads
 * the run and step of each distinct step once. A target the statement did not claim is either
 * this job's own claim given again (its worker died) or another job's: it is looked up alone.
 */
async function claimTargets(
  deps: EngineDeps,
  claims: Claim[],
): Promise<(ClaimResult | undefined)[]> {
  const j = jsonRows(
    deps.queue.dialect,
    claims.map((c) => ({ run_id: c.runId, idx: c.idx, job: c.jobId })),
    { run_id: "text", idx: "integer", job: "text" },
  );
  const startedAt = deps.clock.now().toISOString();
  const claimed = await sql<ClaimedTarget>`update run_targets
      set status = 'started', claim_id = ${j.col("job")}, started_at = ${startedAt}
      from ${j.from}
      where run_targets.run_id = ${j.col("run_id")} and run_targets.idx = ${j.col("idx")}
        and run_targets.status = 'pending'
      returning run_targets.run_id, run_targets.idx, run_targets.status, run_targets.attempt,
        run_targets.claim_id, run_targets.step_idx, run_targets.connection_name,
        run_targets.region, run_targets.bucket, run_targets.input_sealed`.execute(deps.db);
  const byKey = new Map(claimed.rows.map((row) => [`${row.run_id}:${row.idx}`, row]));
  const found = await Promise.all(
    claims.map(async (c): Promise<{ target: ClaimedTarget; redelivered: boolean } | undefined> => {
      const row = byKey.get(`${c.runId}:${c.idx}`);
      if (row !== undefined && row.claim_id === c.jobId) return { target: row, redelivered: false };
      const again = await deps.db
        .selectFrom("run_targets")
        .select([
          "run_id",
          "idx",
          "status",
          "attempt",
          "claim_id",
          "step_idx",
          "connection_name",
          "region",
          "bucket",
          "input_sealed",
        ])
        .where("run_id", "=", c.runId)
        .where("idx", "=", c.idx)
        .executeTakeFirst();
      return again !== undefined && again.status === "started" && again.claim_id === c.jobId
        ? { target: again, redelivered: true }
        : undefined;
    }),
  );
  const steps = new Map<string, Promise<StepContext | undefined>>();
  const stepOf = (runId: string, stepIdx: number) => {
    const key = `${runId}:${stepIdx}`;
    let step = steps.get(key);
    if (step === undefined) {
      step = deps.db
        .selectFrom("run_steps as s")
        .innerJoin("runs as r", "r.id", "s.run_id")
        .select([
          "r.org_id",
          "r.cancel_requested",
          "r.run_as_user_id",
          "r.input as run_input",
          "r.input_sealed as run_input_sealed",
          "s.attempt as step_attempt",
          "s.plan",
          "s.input_sealed",
        ])
        .where("s.run_id", "=", runId)
        .where("s.idx", "=", stepIdx)
        .executeTakeFirst();
      steps.set(key, step);
    }
    return step;
  };
  return Promise.all(
    found.map(async (f): Promise<ClaimResult | undefined> => {
      if (f === undefined) return undefined;
      const step = await stepOf(f.target.run_id, f.target.step_idx);
      return step === undefined ? undefined : { ...f, step };
    }),
  );
}

/**
 * Runs the targets of a run (`run.target` jobs). A target is claimed (pending → started, with the
 * job's id) and that is committed before its request leaves; the jobs a worker starts together
 * are claimed in one statement. The same job given again after its worker died finds its own
 * claim: an action that can change something is then reported `unknown` — it may have been sent,
 * and is never sent twice — and a read runs again. Any other job for the target (a duplicate)
 * finds it claimed or settled and does nothing.
 */
export class TargetRunner {
  readonly #claims: MicroBatch<Claim, ClaimResult | undefined>;

  constructor(
    private readonly deps: EngineDeps,
    private readonly settler: TargetSettler,
  ) {
    this.#claims = new MicroBatch((claims) => claimTargets(deps, claims));
  }

  run(job: Pick<QueueJob<RunTargetJob>, "id" | "data">, options: { immediate?: boolean } = {}) {
    return runTargetJob(this.deps, this.settler, this.#claims, job, options);
  }
}

async function runTargetJob(
  deps: EngineDeps,
  settler: TargetSettler,
  claims: MicroBatch<Claim, ClaimResult | undefined>,
  job: Pick<QueueJob<RunTargetJob>, "id" | "data">,
  options: { immediate?: boolean },
): Promise<void> {
  const { runId, idx } = job.data;
  const claim = await claims.call({ runId, idx, jobId: job.id });
  if (claim === undefined) return;
  const { target: row, step } = claim;

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

  if (step.cancel_requested === 1) {
    await settleAs("cancelled", {
      code: "RUN_CANCELLED",
      message: "the run was cancelled before this target ran",
    });
    return;
  }
  const runtime = await stepRuntime(deps, {
    run_id: runId,
    org_id: step.org_id,
    idx: row.step_idx,
    attempt: step.step_attempt,
    plan: step.plan,
    input_sealed: step.input_sealed,
    run_as_user_id: step.run_as_user_id,
    run_input: step.run_input,
    run_input_sealed: step.run_input_sealed,
  });

  if (claim.redelivered && runtime.plan.action.write) {
    await settleAs("unknown", {
      code: "OUTCOME_UNKNOWN",
      message: `${runtime.plan.action.actionId} was sent to ${row.connection_name} in ${row.region}, and the worker running it stopped before AWS's answer was recorded; it is not sent again`,
      fix: "check in AWS (CloudTrail, or the resource itself) whether it took effect, then redrive the run or run the action again",
    });
    return;
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
      row.input_sealed === null
        ? {}
        : openRecord(
            deps.keystore.keyring,
            targetInputScope(step.org_id, runId, idx),
            row.input_sealed,
          );
    try {
      prepared = await prepareTargetAction(runtime.plan.action.actionId, input, {
        deps,
        runId,
        orgId: step.org_id,
        target,
      });
    } catch (error) {
      await settleAs("failed", {
        code: (error as { code?: string }).code ?? "INVALID_INPUT",
        message: error instanceof Error ? error.message : String(error),
      });
      return;
    }
  }

  const runSignal = deps.inFlight.enter(runId);
  // The step's timeout: a controller on a timer, not AbortSignal.timeout inside AbortSignal.any —
  // nothing holds such a timeout signal but its weak link to the combined one, so after a garbage
  // collection it never fires (seen on Node 20: a 1 s timeout let an 8 s call run its course).
  const deadline = runtime.timeoutMs === undefined ? undefined : new AbortController();
  const timer =
    deadline === undefined
      ? undefined
      : setTimeout(
          () => deadline.abort(new DOMException("the step timed out", "TimeoutError")),
          runtime.timeoutMs,
        );
  const signal =
    deadline === undefined
      ? runSignal
      : forManyCalls(AbortSignal.any([runSignal, deadline.signal]));
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
    clearTimeout(timer);
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
