export type RunStatus = "running" | "succeeded" | "failed" | "partial";
export type TargetStatus = "succeeded" | "failed" | "refused" | "skipped";

export interface RunTable {
  id: string;
  org_id: string;
  kind: "action";
  action_id: string;
  actor: string;
  status: RunStatus;
  /** The input as given, JSON (secrets redacted). */
  input: string;
  target_count: number;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  /** JSON: counts by status. */
  summary: string | null;
}

export interface RunTargetTable {
  run_id: string;
  idx: number;
  connection_name: string;
  account_id: string | null;
  region: string;
  status: TargetStatus;
  duration_ms: number;
  /** The redacted output as JSON text, or for larger outputs gzip of it in base64 (starts "H4sI"); null when there is none. */
  output: string | null;
  output_bytes: number;
  output_truncated: number;
  /** JSON {code, message, fix?} */
  error: string | null;
  /** The role session name AWS logged the target's calls under (assumed roles only). */
  aws_session: string | null;
}

export interface RunTables {
  runs: RunTable;
  run_targets: RunTargetTable;
}
