import type { Principal } from "../access/index.js";
import type { DbOrTx } from "../db/index.js";
import { NotFound } from "../errors.js";
import type { RunStepTable, RunTable, RunTargetTable } from "./run.table.js";
import type { RecordedPlan, RunDetail, RunItem, RunStep, RunTargetResult } from "./schemas.js";
import type { RunStatus, TargetStatus } from "./statuses.js";
import { readStoredOutput } from "./store-output.js";

const CONNECTIONS_SHOWN = 20;

export interface RunFilters {
  status?: RunStatus | undefined;
  kind?: "action" | "workflow" | undefined;
  workflow?: string | undefined;
}

function visible<Q extends { where: (...args: never[]) => Q }>(q: Q): Q {
  return q;
}

/** Admins see the org's runs; members the runs they started or that execute as them. */
function scope(db: DbOrTx, principal: Principal) {
  let q = db
    .selectFrom("runs")
    .leftJoin("users", "users.id", "runs.run_as_user_id")
    .where("runs.org_id", "=", principal.orgId);
  if (principal.role !== "admin") {
    q = q.where((eb) =>
      eb.or([
        // By user id, never by the name in `actor`: a user created again under a deleted one's
        // name does not see the old one's runs.
        eb("runs.started_by_user_id", "=", principal.userId),
        eb("runs.run_as_user_id", "=", principal.userId),
      ]),
    );
  }
  return visible(q);
}

type RunRow = RunTable & { run_as_name: string | null };

function toItem(row: RunRow, connections: string[]): RunItem {
  return {
    id: row.id,
    kind: row.kind,
    actionId: row.kind === "action" ? row.action_id : null,
    workflow:
      row.workflow_name === null || row.workflow_version === null
        ? null
        : { name: row.workflow_name, version: row.workflow_version },
    actor: row.actor,
    runAs: row.run_as_name,
    trigger: row.trigger,
    status: row.status,
    targetCount: row.target_count,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.duration_ms,
    summary: row.summary === null ? null : (JSON.parse(row.summary) as RunItem["summary"]),
    connections,
  };
}

/**
 * The first connections of each run by name, for lists that say where a run went: per run, a
 * walk of the (run_id, connection_name) index that stops after a few names, however many
 * targets the run has.
 */
async function connectionsOfRuns(db: DbOrTx, runIds: string[]): Promise<Map<string, string[]>> {
  const lists = await Promise.all(
    runIds.map(async (runId) => {
      const rows = await db
        .selectFrom("run_targets")
        .select("connection_name")
        .distinct()
        .where("run_id", "=", runId)
        .orderBy("connection_name")
        .limit(CONNECTIONS_SHOWN)
        .execute();
      return [runId, rows.map((row) => row.connection_name)] as const;
    }),
  );
  return new Map(lists);
}

/** Runs, newest first (ids are time-ordered). */
export async function listRuns(
  db: DbOrTx,
  principal: Principal,
  filters: RunFilters,
  page: { limit: number; beforeId?: string | undefined },
): Promise<RunItem[]> {
  let q = scope(db, principal).selectAll("runs").select("users.name as run_as_name");
  if (filters.status !== undefined) q = q.where("runs.status", "=", filters.status);
  if (filters.kind !== undefined) q = q.where("runs.kind", "=", filters.kind);
  if (filters.workflow !== undefined) q = q.where("runs.workflow_name", "=", filters.workflow);
  if (page.beforeId !== undefined) q = q.where("runs.id", "<", page.beforeId);
  const rows = (await q
    .orderBy("runs.id", "desc")
    .limit(page.limit + 1)
    .execute()) as RunRow[];
  const connections = await connectionsOfRuns(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => toItem(r, connections.get(r.id) ?? []));
}

/** The run row, if the principal may see it; otherwise not found. */
export async function findVisibleRun(
  db: DbOrTx,
  principal: Principal,
  id: string,
): Promise<RunRow> {
  const row = (await scope(db, principal)
    .selectAll("runs")
    .select("users.name as run_as_name")
    .where("runs.id", "=", id)
    .executeTakeFirst()) as RunRow | undefined;
  if (row === undefined) throw new NotFound(`run ${id}`);
  return row;
}

function toStep(row: RunStepTable): RunStep {
  const plan =
    row.plan === null
      ? undefined
      : (JSON.parse(row.plan) as {
          def?: Record<string, unknown>;
          deciders?: { connections: string[] };
        });
  const def = plan?.def ?? {};
  const approval = def.approval as
    | { grant: string; connection?: string; message?: string; allowSelfApproval?: boolean }
    | undefined;
  return {
    idx: row.idx,
    id: row.step_id,
    ...(typeof def.name === "string" ? { name: def.name } : {}),
    kind: row.kind,
    ...(typeof def.action === "string" ? { action: def.action } : {}),
    status: row.status,
    attempt: row.attempt,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.duration_ms,
    targetCount: row.target_count,
    settledCount: row.settled_count,
    summary: row.summary === null ? null : (JSON.parse(row.summary) as RunStep["summary"]),
    ...(row.output === null ? {} : { output: JSON.parse(row.output) as unknown }),
    ...(row.error === null ? {} : { error: JSON.parse(row.error) as RunStep["error"] }),
    ...(approval === undefined
      ? {}
      : {
          approval: {
            grant: approval.grant,
            ...(typeof approval.connection === "string" ? { connection: approval.connection } : {}),
            ...(approval.message === undefined ? {} : { message: approval.message }),
            ...(plan?.deciders === undefined ? {} : { deciders: plan.deciders.connections }),
            ...(approval.allowSelfApproval === true ? { allowSelfApproval: true } : {}),
            waitUntil: row.wait_until,
            decidedBy: row.decided_by,
            reason: row.decision_reason,
          },
        }),
  };
}

export function toTargetResult(t: RunTargetTable): RunTargetResult {
  return {
    idx: t.idx,
    connection: t.connection_name,
    accountId: t.account_id,
    region: t.region,
    status: t.status,
    attempt: t.attempt,
    durationMs: t.duration_ms,
    ...(t.started_at === null ? {} : { startedAt: t.started_at }),
    ...(t.finished_at === null ? {} : { finishedAt: t.finished_at }),
    ...(t.output === null ? {} : { output: readStoredOutput(t.output) }),
    ...(t.output_truncated === 1 ? { outputTruncated: true } : {}),
    ...(t.error === null ? {} : { error: JSON.parse(t.error) as RunTargetResult["error"] }),
    ...(t.request_id === null ? {} : { requestId: t.request_id }),
    ...(t.aws_session === null ? {} : { awsSession: t.aws_session }),
  };
}

const RESULTS_IN_DETAIL = 500;

export async function getRunDetail(
  db: DbOrTx,
  principal: Principal,
  id: string,
): Promise<RunDetail> {
  const row = await findVisibleRun(db, principal, id);
  const steps = await db
    .selectFrom("run_steps")
    .selectAll()
    .where("run_id", "=", id)
    .orderBy("idx")
    .execute();
  const connections = await connectionsOfRuns(db, [id]);
  const detail: RunDetail = {
    ...toItem(row, connections.get(id) ?? []),
    input: JSON.parse(row.input) as unknown,
    ...(row.error === null ? {} : { error: JSON.parse(row.error) as RunDetail["error"] }),
    steps: steps.map(toStep),
  };
  if (row.kind === "action") {
    const runPlan = (JSON.parse(steps[0]?.plan ?? "{}") as { runPlan?: RecordedPlan }).runPlan;
    if (runPlan !== undefined) detail.plan = runPlan;
    const targets = await db
      .selectFrom("run_targets")
      .selectAll()
      .where("run_id", "=", id)
      .orderBy("idx")
      .limit(RESULTS_IN_DETAIL)
      .execute();
    detail.results = targets.map(toTargetResult);
  }
  return detail;
}

/** A run's targets (of one step, of one status), paged by index, with each one's earlier attempts. */
export async function listRunTargets(
  db: DbOrTx,
  principal: Principal,
  runId: string,
  filters: { step?: string | undefined; status?: TargetStatus | undefined },
  page: { limit: number; afterIdx?: number | undefined },
): Promise<RunTargetResult[]> {
  await findVisibleRun(db, principal, runId);
  let q = db.selectFrom("run_targets").selectAll().where("run_id", "=", runId);
  if (filters.step !== undefined) {
    const step = await db
      .selectFrom("run_steps")
      .select("idx")
      .where("run_id", "=", runId)
      .where("step_id", "=", filters.step)
      .executeTakeFirst();
    if (step === undefined) throw new NotFound(`step ${filters.step} of run ${runId}`);
    q = q.where("step_idx", "=", step.idx);
  }
  if (filters.status !== undefined) q = q.where("status", "=", filters.status);
  if (page.afterIdx !== undefined) q = q.where("idx", ">", page.afterIdx);
  const rows = await q
    .orderBy("idx")
    .limit(page.limit + 1)
    .execute();
  const retried = rows.filter((r) => r.attempt > 1).map((r) => r.idx);
  const attempts =
    retried.length === 0
      ? []
      : await db
          .selectFrom("run_target_attempts")
          .selectAll()
          .where("run_id", "=", runId)
          .where("idx", "in", retried)
          .orderBy("attempt")
          .execute();
  return rows.map((r) => {
    const result = toTargetResult(r);
    const earlier = attempts.filter((a) => a.idx === r.idx);
    if (earlier.length > 0) {
      result.attempts = earlier.map((a) => ({
        attempt: a.attempt,
        status: a.status,
        durationMs: a.duration_ms,
        finishedAt: a.finished_at,
        ...(a.error === null ? {} : { error: JSON.parse(a.error) as RunTargetResult["error"] }),
        ...(a.request_id === null ? {} : { requestId: a.request_id }),
      }));
    }
    return result;
  });
}
