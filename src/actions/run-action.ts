import type { Insertable } from "kysely";
import type { Principal } from "../access/index.js";
import { recordAuditEvent, type RequestContext } from "../audit/index.js";
import {
  explainAwsError,
  listExecutableConnections,
  notAwsResponse,
  visibleConnection,
  type Actor,
  type ConnectionRecord,
} from "../connections/index.js";
import {
  ERROR_CATALOGUE,
  Invalid,
  Refused,
  SwitchboardError,
  Upstream,
  type ErrorCode,
} from "../errors.js";
import { newId } from "../ids.js";
import type { ActionDefinition } from "./action-definition.js";
import type { ActionDeps } from "./action-deps.js";
import { findAction, iamActionsOf, serviceOf } from "./catalog-info.js";
import { dryRunOutcome } from "./dry-run.js";
import { groupCommit } from "./group-commit.js";
import { checkAccess } from "./iam/index.js";
import { optInRegionFix } from "./opt-in-region.js";
import { redact } from "./redact.js";
import { redactionPlansOf, type RedactionPlan } from "./redaction-plan.js";
import {
  runRequestSchema,
  type RunRequest,
  type RunSummary,
  type TargetResult,
} from "./schemas.js";
import type { RunTargetTable } from "./run.table.js";
import { Semaphore } from "./semaphore.js";
import { storeOutput } from "./store-output.js";
import { failedOnCredentials, targetContext } from "./target-context.js";

/** Targets of one run in flight at once. */
const MAX_IN_FLIGHT_PER_RUN = 64;
// 12 columns a row: 500 rows are 6,000 bound values, under SQLite's 32,766 and PostgreSQL's
// 65,535. While others are in flight, a settled target waits at most 50 ms to share a transaction.
const TARGET_WRITES = { maxRows: 500, waitMs: 50 };

/** Calls in flight per (account, region, service) in the process (ActionDeps.buckets). */
export const MAX_PER_BUCKET = 8;

const ACCESS_POLICY_NAME = { view: "ViewOnlyAccess", read: "ReadOnlyAccess" } as const;
const THROTTLING = new Set([
  "Throttling",
  "ThrottlingException",
  "RequestLimitExceeded",
  "TooManyRequestsException",
  "SlowDown",
]);

interface Target {
  name: string;
  /** Absent for a named connection the caller may not execute. */
  connection?: ConnectionRecord;
  region: string;
  /** Set when the target is reported without running. */
  preset?: Pick<TargetResult, "status" | "error">;
}

interface StoredTarget {
  result: TargetResult;
  /** The run_targets `output` column (see storeOutput). */
  stored: string | null;
  bytes: number;
}

export interface RunOutcome {
  runId: string;
  status: "succeeded" | "failed" | "partial";
  durationMs: number;
  summary: RunSummary;
  results: TargetResult[];
}

function accessRefusal(
  action: ActionDefinition,
  connection: ConnectionRecord,
  denied: { action: string; accessLevel: string },
): Refused {
  const setting =
    connection.access === "full"
      ? "full"
      : `${connection.access} (AWS managed ${ACCESS_POLICY_NAME[connection.access]})`;
  return new Refused(
    "ACCESS_REFUSED",
    `${action.id} needs ${denied.action} (access level ${denied.accessLevel}), which connection ${connection.name} does not allow: its access is ${setting}; an editor can set access full`,
  );
}

// The run request's own fields; any other field an error names is one of the action's input.
const RUN_REQUEST_FIELDS = new Set(Object.keys(runRequestSchema.shape));

/**
 * An error about the action's input (raised by the catalog, the IAM data or the action itself,
 * which know the input only) names its field as the run request has it: `input.<field>`.
 */
function asRunRequestError(error: unknown): unknown {
  if (
    !(error instanceof SwitchboardError) ||
    error.field === undefined ||
    RUN_REQUEST_FIELDS.has(error.field.split(".")[0] ?? "")
  )
    return error;
  return new SwitchboardError(error.code, error.message, {
    field: `input.${error.field}`,
    cause: error,
  });
}

function errorOf(
  raised: unknown,
  connection: ConnectionRecord,
  region: string,
): NonNullable<TargetResult["error"]> {
  const error = asRunRequestError(raised);
  if (
    error instanceof SwitchboardError &&
    error.code !== "OUTBOUND_REFUSED" &&
    error.code !== "NOT_FOUND"
  ) {
    return {
      code: error.code,
      message: error.message,
      ...(error.field === undefined ? {} : { field: error.field }),
    };
  }
  const explained =
    notAwsResponse(error, connection) ??
    explainAwsError(error, failedOnCredentials(raised) ? "credentials" : "identity", connection);
  const fix = optInRegionFix(explained.code, region, connection.name) ?? explained.fix;
  return { code: explained.code, message: explained.message, fix };
}

function cutWhileCollecting(output: unknown): boolean {
  return typeof output === "object" && output !== null && "truncated" in output;
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

/**
 * The AWS account a connection reaches: learned by its last test, or else read from its role's
 * ARN (arn:aws:iam::<account>:role/…); a connection of neither kind counts as its own.
 */
function accountKeyOf(connection: ConnectionRecord): string {
  if (connection.accountId !== null) return connection.accountId;
  const s = connection.settings;
  const fromArn =
    s.method === "assume_role" || s.method === "web_identity" ? s.roleArn.split(":")[4] : undefined;
  return fromArn === undefined || fromArn === "" ? `connection:${connection.id}` : fromArn;
}

/** A target reported as skipped, with why. */
function skipped(
  connection: ConnectionRecord,
  region: string,
  code: string,
  message: string,
): Target {
  return {
    name: connection.name,
    connection,
    region,
    preset: { status: "skipped", error: { code, message } },
  };
}

/** What a fan-out's connection selector chose, in words, for when it chose nothing. */
function describeSelector(connections: NonNullable<RunRequest["connections"]>): string {
  if (connections === "*")
    return "you may execute no connection: ask an editor of one for the executor role";
  if (Array.isArray(connections)) return "none of the named connections is one you may execute";
  return `no connection you may execute has tag ${connections.tag}`;
}

/**
 * (connection, region) pairs: executable connections × their regions. A global service runs
 * once per account: of the connections to one account, the first whose access setting allows
 * the action runs it, and the others are reported as skipped.
 */
async function resolveTargets(
  deps: ActionDeps,
  principal: Principal,
  global: boolean,
  iamActions: string[],
  request: RunRequest,
): Promise<{ targets: Target[]; single: boolean }> {
  if (request.connection !== undefined || request.region !== undefined) {
    if (request.connection === undefined || request.region === undefined) {
      throw new Invalid("a single run needs both connection and region", {
        field: request.connection === undefined ? "connection" : "region",
      });
    }
    if (request.connections !== undefined || request.regions !== undefined) {
      throw new Invalid("give either connection and region, or connections and regions", {
        field: "connections",
      });
    }
    const { connection, roles } = await visibleConnection(deps.db, principal, request.connection);
    if (!roles.includes("executor")) {
      throw new Refused(
        "FORBIDDEN",
        `you need the executor role on connection ${connection.name} to run actions with it`,
      );
    }
    if (!connection.regions.includes(request.region)) {
      throw new SwitchboardError(
        "REGION_NOT_ALLOWED",
        connection.regions.length === 0
          ? `connection ${connection.name} has no regions yet: test it (it learns them) or set them`
          : `region ${request.region} is not one of connection ${connection.name}'s regions (${connection.regions.join(", ")})`,
        { field: "region" },
      );
    }
    return {
      targets: [{ name: connection.name, connection, region: request.region }],
      single: true,
    };
  }
  if (request.connections === undefined)
    throw new Invalid("give connection and region, or connections", { field: "connection" });

  const executable = await listExecutableConnections(deps.db, principal);
  const byName = new Map(executable.map((c) => [c.name, c]));
  const targets: Target[] = [];
  let chosen: ConnectionRecord[];
  if (Array.isArray(request.connections)) {
    chosen = [];
    for (const name of request.connections) {
      const connection = byName.get(name);
      if (connection === undefined) {
        targets.push({
          name,
          region: "-",
          preset: {
            status: "refused",
            error: { code: "FORBIDDEN", message: `no connection ${name} that you may execute` },
          },
        });
      } else chosen.push(connection);
    }
  } else if (request.connections === "*") {
    chosen = executable;
  } else {
    const [key, value] = [
      request.connections.tag.slice(0, request.connections.tag.indexOf("=")),
      request.connections.tag.slice(request.connections.tag.indexOf("=") + 1),
    ];
    chosen = executable.filter((c) => c.tags[key] === value);
  }
  if (chosen.length === 0)
    throw new Invalid(describeSelector(request.connections), { field: "connections" });

  // Global: per account, the connection that runs it (the first whose access allows the action).
  const runsFor = new Map<string, ConnectionRecord>();
  if (global) {
    for (const connection of chosen) {
      const account = accountKeyOf(connection);
      const current = runsFor.get(account);
      if (current === undefined) runsFor.set(account, connection);
      else if (
        !(await checkAccess(current.access, iamActions)).allowed &&
        (await checkAccess(connection.access, iamActions)).allowed
      )
        runsFor.set(account, connection);
    }
  }

  for (const connection of chosen) {
    const wanted =
      request.regions === undefined || request.regions === "*"
        ? connection.regions
        : request.regions;
    if (connection.regions.length === 0) {
      targets.push(
        skipped(
          connection,
          "-",
          "REGION_NOT_ALLOWED",
          `connection ${connection.name} has no regions yet: test it`,
        ),
      );
      continue;
    }
    if (global) {
      const runner = runsFor.get(accountKeyOf(connection));
      if (runner !== connection) {
        targets.push(
          skipped(
            connection,
            "-",
            "SAME_ACCOUNT",
            `connection ${runner?.name ?? ""} reaches the same account ${accountKeyOf(connection)}: a global service runs once per account`,
          ),
        );
        continue;
      }
      const region =
        wanted.find((r) => connection.regions.includes(r)) ?? connection.regions[0] ?? "us-east-1";
      targets.push({
        name: connection.name,
        connection,
        region:
          connection.regions.includes("us-east-1") && wanted.includes("us-east-1")
            ? "us-east-1"
            : region,
      });
      continue;
    }
    for (const region of wanted) {
      targets.push(
        connection.regions.includes(region)
          ? { name: connection.name, connection, region }
          : skipped(
              connection,
              region,
              "REGION_NOT_ALLOWED",
              `${region} is not one of connection ${connection.name}'s regions`,
            ),
      );
    }
  }
  return { targets, single: false };
}

/** A run checked and resolved to its targets, before anything is written or sent. */
export interface PreparedRun {
  action: ActionDefinition;
  input: unknown;
  iamActions: string[];
  /** The SDK service called: the throttling bucket. */
  service: string;
  targets: Target[];
  single: boolean;
  request: RunRequest;
  /** Where the secrets of the stored input and outputs are, from AWS's model of the operation. */
  redaction: { input?: RedactionPlan; output?: RedactionPlan };
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
  const action = findAction(actionId);
  const parsed = action.input.safeParse(request.input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.join(".") ?? "";
    throw new Invalid(`input${path === "" ? "" : `.${path}`}: ${issue?.message ?? "invalid"}`, {
      field: path === "" ? "input" : `input.${path}`,
    });
  }
  const input = parsed.data;
  try {
    return await resolveRun(deps, context, principal, action, input, request);
  } catch (error) {
    throw asRunRequestError(error);
  }
}

async function resolveRun(
  deps: ActionDeps,
  context: RequestContext,
  principal: Principal,
  action: ActionDefinition,
  input: unknown,
  request: RunRequest,
): Promise<PreparedRun> {
  const iamActions = iamActionsOf(action, input);
  const { service, global } = await serviceOf(action, input);
  const redaction = await redactionPlansOf(action, input);
  const { targets, single } = await resolveTargets(deps, principal, global, iamActions, request);

  const only = targets[0]?.connection;
  if (single && only !== undefined) {
    const decision = await checkAccess(only.access, iamActions);
    if (!decision.allowed) {
      await recordAuditEvent(deps.db, context, {
        action: "action.run",
        objectType: "connection",
        objectId: only.name,
        outcome: "denied",
        detail: { action: action.id, iamAction: decision.action, access: only.access },
      });
      throw accessRefusal(action, only, decision);
    }
  }
  return { action, input, iamActions, service, targets, single, request, redaction };
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
  const { action, input, iamActions, service, targets, single, request, redaction } = prepared;
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
    })
    .execute();

  // In flight at once: per run, and per (account, region, service) across all runs of the
  // process (deps.buckets), because AWS throttles per account, region and API whoever calls.
  const overall = new Semaphore(MAX_IN_FLIGHT_PER_RUN);
  const signal = options.signal ?? new AbortController().signal;

  const runTarget = async (target: Target): Promise<StoredTarget> => {
    const base = {
      connection: target.name,
      accountId: target.connection?.accountId ?? null,
      region: target.region,
    };
    const connection = target.connection;
    if (target.preset !== undefined || connection === undefined) {
      const preset = target.preset ?? { status: "refused" as const };
      const result: TargetResult = {
        ...base,
        durationMs: 0,
        status: preset.status,
        ...(preset.error === undefined ? {} : { error: preset.error }),
      };
      return { result, stored: null, bytes: 0 };
    }
    const t0 = performance.now();
    const elapsed = () => Math.round((performance.now() - t0) * 100) / 100;
    const decision = await checkAccess(connection.access, iamActions);
    if (!decision.allowed) {
      const refusal = accessRefusal(action, connection, decision);
      return {
        result: {
          ...base,
          status: "refused",
          durationMs: elapsed(),
          error: { code: refusal.code, message: refusal.message },
        },
        stored: null,
        bytes: 0,
      };
    }
    // The session AWS logged the calls under: CloudTrail finds them by it.
    const session = (): { awsSession?: string } => {
      const name = deps.credentials.cache.sessionOf(connection.id, actor.userName);
      return name === undefined ? {} : { awsSession: name };
    };
    try {
      const bucket = `${accountKeyOf(connection)}/${target.region}/${service}`;
      // The bucket's slot first: a target waiting on a throttled account holds no run slot.
      const output = await deps.buckets.run(bucket, () =>
        overall.run(() =>
          action
            .run(
              targetContext(
                deps.credentials,
                connection,
                target.region,
                actor,
                {
                  maxItems: request.maxItems,
                  pageSize: request.pageSize,
                  signal,
                },
                deps.clients,
              ),
              input,
            )
            .catch(dryRunOutcome),
        ),
      );
      const stored = storeOutput(redact(output, redaction.output));
      return {
        result: {
          ...base,
          status: "succeeded",
          durationMs: elapsed(),
          output: stored.shown,
          // Cut by the cap when stored, or while its pages were collected (collectPages).
          ...(stored.truncated || cutWhileCollecting(output) ? { outputTruncated: true } : {}),
          ...session(),
        },
        stored: stored.stored,
        bytes: stored.bytes,
      };
    } catch (error) {
      return {
        result: {
          ...base,
          status: "failed",
          durationMs: elapsed(),
          error: errorOf(error, connection, target.region),
          // No session when there were no credentials to make one.
          ...(failedOnCredentials(error) ? {} : session()),
        },
        stored: null,
        bytes: 0,
      };
    }
  };

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
  const stored = await Promise.all(
    targets.map(async (target, idx) => {
      const done = await runTarget(target);
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
      });
      options.onResult?.(done.result);
      return done;
    }),
  );
  const results = stored.map((s) => s.result);
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
