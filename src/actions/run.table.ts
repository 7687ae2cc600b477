/** interrupted: the process running it stopped (crashed, killed) before it finished. */
export type RunStatus = "running" | "succeeded" | "failed" | "partial" | "interrupted";
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
  /** The server process running it (server_instances.id); null for runs from before owners. */
  owner_id: string | null;
}

/** One server process: runs it owns are its own while its heartbeat is fresh (run-owners.ts). */
export interface ServerInstanceTable {
  id: string;
  host: string;
  pid: number;
  started_at: string;
  heartbeat_at: string;
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
  server_instances: ServerInstanceTable;
}
