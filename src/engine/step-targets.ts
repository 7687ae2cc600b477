import type { Insertable } from "kysely";
import type { DbOrTx } from "../db/index.js";
import type { Target } from "../fan-out/index.js";
import type { RunTargetTable } from "../runs/index.js";
import { RUN_TARGET_QUEUE, type RunTargetJob } from "./queues.js";

// 21 columns a row: 300 rows are 6,300 bound values, under SQLite's 32,766 and PostgreSQL's 65,535.
export const ROWS_PER_INSERT = 300;

/** A target row as the step starts: pending, or settled at once when it is reported without running. */
export function targetRow(
  runId: string,
  stepIdx: number,
  idx: number,
  target: Target,
  inputSealed: string | null,
  /** When the step starts: a target reported without running is settled then. */
  now: string,
): Insertable<RunTargetTable> {
  const preset = target.preset;
  return {
    run_id: runId,
    idx,
    step_idx: stepIdx,
    attempt: 1,
    connection_name: target.name,
    account_id: target.connection?.accountId ?? null,
    region: target.region,
    status: preset?.status ?? "pending",
    duration_ms: 0,
    output: null,
    output_bytes: 0,
    output_truncated: 0,
    error: preset?.error === undefined ? null : JSON.stringify(preset.error),
    aws_session: null,
    bucket: preset === undefined ? (target.bucket ?? null) : null,
    input_sealed: inputSealed,
    started_at: null,
    finished_at: preset === undefined ? null : now,
    request_id: null,
    claim_id: null,
    sent_at: preset === undefined ? now : null,
  };
}

export async function insertTargetRows(
  tx: DbOrTx,
  rows: Insertable<RunTargetTable>[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    await tx
      .insertInto("run_targets")
      .values(rows.slice(i, i + ROWS_PER_INSERT))
      .execute();
  }
}

/** The queue jobs of the rows sent now, each in its (account, region, service) group. */
export function targetJobs(
  rows: Pick<Insertable<RunTargetTable>, "run_id" | "idx" | "status" | "bucket" | "sent_at">[],
): { data: RunTargetJob; options: { group?: string } }[] {
  return rows
    .filter((row) => row.status === "pending" && row.sent_at !== null)
    .map((row) => ({
      data: { runId: row.run_id, idx: row.idx },
      options: row.bucket === null || row.bucket === undefined ? {} : { group: row.bucket },
    }));
}

export { RUN_TARGET_QUEUE };
