import type { Principal } from "../access/index.js";
import type { DbOrTx } from "../db/index.js";
import { NotFound } from "../errors.js";
import type { RunTable } from "./run.table.js";
import type { RunSummary, TargetResult } from "./schemas.js";
import { readStoredOutput } from "./store-output.js";

export interface RunListItem {
  id: string;
  actionId: string;
  actor: string;
  status: RunTable["status"];
  targetCount: number;
  startedAt: string;
  durationMs: number | null;
  summary: RunSummary | null;
}

function toItem(row: RunTable): RunListItem {
  return {
    id: row.id,
    actionId: row.action_id,
    actor: row.actor,
    status: row.status,
    targetCount: row.target_count,
    startedAt: row.started_at,
    durationMs: row.duration_ms,
    summary: row.summary === null ? null : (JSON.parse(row.summary) as RunSummary),
  };
}

/** Admins see the org's runs; members their own. Newest first. */
export async function listRuns(
  db: DbOrTx,
  principal: Principal,
  page: { limit: number; beforeId?: string | undefined },
): Promise<RunListItem[]> {
  let q = db.selectFrom("runs").selectAll().where("org_id", "=", principal.orgId);
  if (principal.role !== "admin") q = q.where("actor", "=", `user:${principal.userName}`);
  if (page.beforeId !== undefined) q = q.where("id", "<", page.beforeId);
  return (
    await q
      .orderBy("id", "desc")
      .limit(page.limit + 1)
      .execute()
  ).map(toItem);
}

export async function getRun(
  db: DbOrTx,
  principal: Principal,
  id: string,
): Promise<RunListItem & { results: TargetResult[] }> {
  let q = db
    .selectFrom("runs")
    .selectAll()
    .where("org_id", "=", principal.orgId)
    .where("id", "=", id);
  if (principal.role !== "admin") q = q.where("actor", "=", `user:${principal.userName}`);
  const row = await q.executeTakeFirst();
  if (row === undefined) throw new NotFound(`run ${id}`);
  const targets = await db
    .selectFrom("run_targets")
    .selectAll()
    .where("run_id", "=", id)
    .orderBy("idx")
    .execute();
  return {
    ...toItem(row),
    results: targets.map((t) => ({
      connection: t.connection_name,
      accountId: t.account_id,
      region: t.region,
      status: t.status,
      durationMs: t.duration_ms,
      ...(t.output === null ? {} : { output: readStoredOutput(t.output) }),
      ...(t.output_truncated === 1 ? { outputTruncated: true } : {}),
      ...(t.error === null ? {} : { error: JSON.parse(t.error) as TargetResult["error"] }),
      ...(t.aws_session === null ? {} : { awsSession: t.aws_session }),
    })),
  };
}
