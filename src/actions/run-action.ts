import type { Insertable } from "kysely";
import type { Principal } from "../access/index.js";
import { recordAuditEvent, type RequestContext } from "../audit/index.js";
import type { Actor } from "../connections/index.js";
import { ERROR_CATALOGUE, Invalid, SwitchboardError, Upstream, type ErrorCode } from "../errors.js";
import {
  accessRefusal,
  asRunRequestError,
  chooseTargets,
  isSingleSelection,
  runTargets,
  type AccessCheck,
  type Target,
  type TargetOutcome,
} from "../fan-out/index.js";
import { newId } from "../ids.js";
import type { ActionDefinition } from "./action-definition.js";
import type { ActionDeps } from "./action-deps.js";
import { findAction, iamActionsOf, serviceOf } from "./catalog-info.js";
import { groupCommit } from "./group-commit.js";
import { checkAccess } from "./iam/index.js";
import { redact } from "./redact.js";
import { redactionPlansOf, type RedactionPlan } from "./redaction-plan.js";
import type { RunRequest, RunSummary, TargetResult } from "./schemas.js";
import type { RunTargetTable } from "./run.table.js";
import { storeOutput, type StoredOutput } from "../runs/index.js";

/** Targets of one run in flight at once. */
const MAX_IN_FLIGHT_PER_RUN = 64;
// 12 columns a row: 500 rows are 6,000 bound values, under SQLite's 32,766 and PostgreSQL's
// 65,535. While others are in flight, a settled target waits at most 50 ms to share a transaction.
const TARGET_WRITES = { maxRows: 500, waitMs: 50 };

/** Calls in flight per (account, region, service) in the process (ActionDeps.buckets). */
export const MAX_PER_BUCKET = 8;

const THROTTLING = new Set([
  "Throttling",
  "ThrottlingException",
  "RequestLimitExceeded",
  "TooManyRequestsException",
  "SlowDown",
]);

export interface RunOutcome {
  runId: string;
  status: "succeeded" | "failed" | "partial";
  durationMs: number;
  summary: RunSummary;
  results: TargetResult[];
}

function summarize(results: TargetResult[]): RunSummary {
  const summary: RunSummary = {
    total: results.length,
    succeeded: 0,
    failed: 0,
    refused: 0,
    skipped: 0,
  };
  for (const r of results) summary[r.status] += 1;
  return summary;
}

/** Whether each connection access setting allows every IAM action of the run (fan-out's AccessCheck). */
export function accessCheckOf(iamActions: readonly string[]): AccessCheck {
  return (setting) => checkAccess(setting, iamActions);
}

/** How a target's output is stored: redacted by the plan, serialized, cut at the cap. */
export function outputStoreOf(plan: RedactionPlan | undefined): (output: unknown) => StoredOutput {
  return (output) => storeOutput(redact(output, plan));
}

/** An action with its input checked: what running it on any target needs (fan-out's options). */
export interface PreparedAction {
  action: ActionDefinition;
  input: unknown;
  iamActions: string[];
  /** The SDK service called: the throttling bucket. */
  service: string;
  /** Runs once per account, not per region. */
  global: boolean;
  /** Where the secrets of the stored input and outputs are, from AWS's model of the operation. */
  redaction: { input?: RedactionPlan; output?: RedactionPlan };
  access: AccessCheck;
  storeOutput: (output: unknown) => StoredOutput;
}

/**
 * Checks that the action exists and its input is valid, and works out what running it needs:
 * its IAM actions, service, redaction plans. Throws the API error (fields named as the run
 * request has them: `input.<field>`); nothing is sent.
 */
export async function prepareAction(actionId: string, rawInput: unknown): Promise<PreparedAction> {
  const action = findAction(actionId);
  const parsed = action.input.safeParse(rawInput);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.join(".") ?? "";
    throw new Invalid(`input${path === "" ? "" : `.${path}`}: ${issue?.message ?? "invalid"}`, {
      field: path === "" ? "input" : `input.${path}`,
    });
  }
  const input = parsed.data;
  try {
    const iamActions = iamActionsOf(action, input);
    const { service, global } = await serviceOf(action, input);
    const redaction = await redactionPlansOf(action, input);
    return {
      action,
      input,
      iamActions,
      service,
      global,
      redaction,
      access: accessCheckOf(iamActions),
      storeOutput: outputStoreOf(redaction.output),
    };
  } catch (error) {
    throw asRunRequestError(error);
  }
}

/** A run checked and resolved to its targets, before anything is written or sent. */
export interface PreparedRun extends PreparedAction {
  targets: Target[];
  single: boolean;
  request: RunRequest;
}

/**
 * Checks a run, in order: the action exists, the input is valid, the caller may execute the
 * connection(s), the region is the connection's, and — for a single target — the connection's
 * access setting allows every IAM action. Throws the API error for the first that fails; nothing
 * is sent. A refusal on access is audited.
 */
export async function prepareRun(
  deps: ActionDeps,
  context: RequestContext,
  principal: Principal,
  actionId: string,
  request: RunRequest,
): Promise<PreparedRun> {
  const prepared = await prepareAction(actionId, request.input);
  const { action, access, service, global } = prepared;
  const single = isSingleSelection(request);
  let targets: Target[];
  try {
    targets = await chooseTargets(deps, principal, request, { access, global, service });
    const only = targets[0]?.connection;
    if (single && only !== undefined) {
      const decision = await access(only.access);
      if (!decision.allowed) {
        await recordAuditEvent(deps.db, context, {
          action: "action.run",
          objectType: "connection",
          objectId: only.name,
          outcome: "denied",
          detail: { action: action.id, iamAction: decision.action, access: only.access },
        });
        throw accessRefusal(action.id, only, decision);
      }
    }
  } catch (error) {
    throw asRunRequestError(error);
  }
  return { ...prepared, targets, single, request };
}

/**
 * Runs an action on one target or fans it out (see prepareRun for the checks).
 * One failing target never stops the others.
 */
export async function runAction(
  deps: ActionDeps,
  context: RequestContext,
  principal: Principal,
  actionId: string,
  request: RunRequest,
  options: { onResult?: (result: TargetResult) => void; signal?: AbortSignal } = {},
): Promise<RunOutcome & { single: boolean }> {
  const prepared = await prepareRun(deps, context, principal, actionId, request);
  return executeRun(deps, context, principal, prepared, options);
}

/** Runs a prepared run: its record, every target within the concurrency bounds, the audit event. */
export async function executeRun(
  deps: ActionDeps,
  context: RequestContext,
  principal: Principal,
  prepared: PreparedRun,
  options: { onResult?: (result: TargetResult) => void; signal?: AbortSignal } = {},
): Promise<RunOutcome & { single: boolean }> {
  const { action, input, targets, single, request, redaction } = prepared;
  const actor: Actor = {
    orgId: principal.orgId,
    orgName: principal.orgName,
    userName: principal.userName,
    requestId: context.requestId ?? newId(),
    sourceIp: context.sourceIp,
  };

  const runId = newId();
  actor.requestId = `run_${runId.slice(-12)}`;
  const started = deps.clock.now();
  const runRow = {
    id: runId,
    org_id: principal.orgId,
    kind: "action" as const,
    action_id: action.id,
    actor: context.actor,
    input: JSON.stringify(redact(input, redaction.input)),
    target_count: targets.length,
    started_at: started.toISOString(),
  };
  // Every run is on record, as running and with the process that runs it, before any request
  // leaves: a server killed halfway leaves a row that the next start marks interrupted
  // (run-owners.ts), so who called what, where, is never lost. Each target's result is committed
  // when it settles, so an interrupted run keeps the targets that finished.
  await deps.db
    .insertInto("runs")
    .values({
      ...runRow,
      status: "running",
      finished_at: null,
      duration_ms: null,
      summary: null,
      owner_id: deps.owner ?? null,
      // A single action's run from before it moved onto the engine: none of the engine's fields.
      workflow_id: null,
      workflow_name: null,
      workflow_version: null,
      run_as_user_id: null,
      trigger: null,
      cancel_requested: 0,
      error: null,
      input_sealed: null,
    })
    .execute();

  let settled = 0;
  const commitTarget = groupCommit<Insertable<RunTargetTable>>(
    (rows) =>
      deps.db
        .insertInto("run_targets")
        .values(rows)
        .execute()
        .then(() => undefined),
    { ...TARGET_WRITES, expectMore: () => settled < targets.length },
  );
  const outcomes: (TargetOutcome | undefined)[] = new Array<TargetOutcome | undefined>(
    targets.length,
  );
  // In flight at once: per run, and per (account, region, service) across all runs of the
  // process (deps.buckets), because AWS throttles per account, region and API whoever calls.
  await runTargets(deps, targets, {
    action,
    input,
    access: prepared.access,
    storeOutput: prepared.storeOutput,
    actor,
    request: { maxItems: request.maxItems, pageSize: request.pageSize },
    signal: options.signal ?? new AbortController().signal,
    limiter: deps.buckets,
    maxInFlight: MAX_IN_FLIGHT_PER_RUN,
    onSettled: async (idx, done) => {
      outcomes[idx] = done;
      settled += 1;
      await commitTarget({
        run_id: runId,
        idx,
        connection_name: done.result.connection,
        account_id: done.result.accountId,
        region: done.result.region,
        status: done.result.status,
        duration_ms: Math.round(done.result.durationMs),
        output: done.stored,
        output_bytes: done.bytes,
        output_truncated: done.result.outputTruncated === true ? 1 : 0,
        error: done.result.error === undefined ? null : JSON.stringify(done.result.error),
        aws_session: done.result.awsSession ?? null,
        step_idx: 0,
        attempt: 1,
        bucket: targets[idx]?.bucket ?? null,
        input_sealed: null,
        started_at: null,
        finished_at: null,
        request_id: null,
        claim_id: null,
      });
      options.onResult?.(done.result);
    },
  });
  const results = outcomes.flatMap((o) => (o === undefined ? [] : [o.result]));
  const summary = summarize(results);
  const durationMs = deps.clock.now().getTime() - started.getTime();
  const status: RunOutcome["status"] =
    summary.succeeded === summary.total
      ? "succeeded"
      : summary.succeeded === 0
        ? "failed"
        : "partial";

  const finished = {
    status,
    finished_at: deps.clock.now().toISOString(),
    duration_ms: durationMs,
    summary: JSON.stringify(summary),
  };
  await deps.db.transaction().execute(async (tx) => {
    await tx.updateTable("runs").set(finished).where("id", "=", runId).execute();
    await recordAuditEvent(tx, context, {
      action: "action.run",
      objectType: "run",
      objectId: runId,
      outcome: status === "failed" ? "failure" : "success",
      detail: {
        action: action.id,
        targets: summary.total,
        summary,
        ...(single ? { connection: targets[0]?.name, region: targets[0]?.region } : {}),
      },
    });
  });
  return { runId, status, durationMs, summary, results, single };
}

/** A single run's failure as the API's error body: AWS's error in words, throttling retriable. */
export function singleRunError(result: TargetResult): SwitchboardError {
  const error = result.error ?? { code: "Error", message: "the action failed" };
  // Switchboard's own errors (a refused host, an input the action rejected) keep their code.
  if (error.code in ERROR_CATALOGUE)
    return new SwitchboardError(
      error.code as ErrorCode,
      error.message,
      error.field === undefined ? {} : { field: error.field },
    );
  if (THROTTLING.has(error.code)) {
    return new Upstream(
      `AWS throttled the call after the SDK's retries (${error.code}): ${error.message}`,
      { code: "AWS_THROTTLED" },
    );
  }
  return new Upstream(
    `AWS answered ${error.code}: ${error.message}${error.fix === undefined ? "" : ` — ${error.fix}`}`,
    { code: "AWS_ERROR" },
  );
}
