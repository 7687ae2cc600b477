import type { TargetResult } from "../actions/index.js";
import {
  isRunFinished,
  isTargetSettled,
  readStoredOutput,
  type RunTargetTable,
} from "../runs/index.js";
import type { EngineDeps } from "./engine-deps.js";

/** Between looks at the tables while nothing in this process says the run changed (other workers). */
const POLL_MS = 250;

function asResult(t: RunTargetTable): TargetResult {
  return {
    connection: t.connection_name,
    accountId: t.account_id,
    region: t.region,
    status: t.status as TargetResult["status"],
    durationMs: t.duration_ms,
    ...(t.output === null ? {} : { output: readStoredOutput(t.output) }),
    ...(t.output_truncated === 1 ? { outputTruncated: true } : {}),
    ...(t.error === null ? {} : { error: JSON.parse(t.error) as TargetResult["error"] }),
    ...(t.aws_session === null ? {} : { awsSession: t.aws_session }),
  };
}

/**
 * Waits until a run finishes, calling `onResult` once for each target as it settles (whichever
 * worker ran it). Wakes when this process commits a change to the run, and polls for the others.
 */
export async function waitForRun(
  deps: EngineDeps,
  runId: string,
  onResult?: (result: TargetResult) => void,
): Promise<void> {
  const seen = new Set<number>();
  let since = "";
  for (;;) {
    const run = await deps.db
      .selectFrom("runs")
      .select("status")
      .where("id", "=", runId)
      .executeTakeFirst();
    if (onResult !== undefined) {
      const rows = await deps.db
        .selectFrom("run_targets")
        .selectAll()
        .where("run_id", "=", runId)
        .where("finished_at", "is not", null)
        .where("finished_at", ">=", since)
        .orderBy("finished_at")
        .execute();
      for (const row of rows) {
        if (seen.has(row.idx) || !isTargetSettled(row.status)) continue;
        seen.add(row.idx);
        since = row.finished_at ?? since;
        onResult(asResult(row));
      }
    }
    if (run === undefined || isRunFinished(run.status)) return;
    await deps.events.next(runId, POLL_MS);
  }
}

export interface RunOutcomeView {
  id: string;
  status: "succeeded" | "failed" | "partial" | "cancelled";
  durationMs: number;
  summary: {
    total: number;
    succeeded: number;
    failed: number;
    refused: number;
    skipped: number;
    unknown?: number;
    cancelled?: number;
  };
  results: TargetResult[];
}

/** A finished run as the action routes answer it: status, summary and every target's result. */
export async function runOutcome(deps: EngineDeps, runId: string): Promise<RunOutcomeView> {
  const run = await deps.db
    .selectFrom("runs")
    .selectAll()
    .where("id", "=", runId)
    .executeTakeFirstOrThrow();
  const targets = await deps.db
    .selectFrom("run_targets")
    .selectAll()
    .where("run_id", "=", runId)
    .orderBy("idx")
    .execute();
  return {
    id: run.id,
    status: run.status as RunOutcomeView["status"],
    durationMs: run.duration_ms ?? 0,
    summary:
      run.summary === null
        ? { total: 0, succeeded: 0, failed: 0, refused: 0, skipped: 0 }
        : (JSON.parse(run.summary) as RunOutcomeView["summary"]),
    results: targets.map(asResult),
  };
}
