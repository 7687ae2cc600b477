import type { RunStatus, StepStatus, TargetStatus } from "./statuses.js";

export interface RunTable {
  id: string;
  org_id: string;
  kind: "action" | "workflow";
  /** The action of a single-action run; "" for a workflow run. */
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
  /** The server process that ran it, for runs from before the engine; null since. */
  owner_id: string | null;
  workflow_id: string | null;
  workflow_name: string | null;
  workflow_version: number | null;
  /** The user the run executes as. */
  run_as_user_id: string | null;
  /** The user who started it (actor names them); null when no user did (schedule, webhook). */
  started_by_user_id: string | null;
  /** manual | api | schedule | webhook | redrive */
  trigger: string | null;
  cancel_requested: number;
  /** JSON {code, message}: why the run stopped, when not a step's own error. */
  error: string | null;
  /** The unredacted input, sealed by the key store (see sealed-value.ts). */
  input_sealed: string | null;
  /** When the workflow's timeout ends the run; null without one. */
  deadline_at: string | null;
}

/** One server process (runs from before the engine recorded theirs). */
export interface ServerInstanceTable {
  id: string;
  host: string;
  pid: number;
  started_at: string;
  heartbeat_at: string;
}

export interface RunStepTable {
  run_id: string;
  idx: number;
  step_id: string;
  kind: "action" | "transform" | "http" | "approval";
  status: StepStatus;
  attempt: number;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  /** The run-wide index of the step's first target (its targets are consecutive). */
  first_target_idx: number | null;
  target_count: number;
  settled_count: number;
  /** JSON: counts of its targets by status. */
  summary: string | null;
  /** JSON (redacted): a transform's value, an http response, an approval's decision. */
  output: string | null;
  /** JSON {code, message, fix?} */
  error: string | null;
  /** JSON: what the step's targets run (see step-plan.ts). */
  plan: string | null;
  input_sealed: string | null;
  wait_until: string | null;
  decided_by: string | null;
  decision_reason: string | null;
  /** A forEach's concurrency: its targets in the queue at once; null for all at once. */
  window: number | null;
}

export interface RunTargetTable {
  run_id: string;
  idx: number;
  step_idx: number;
  attempt: number;
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
  bucket: string | null;
  input_sealed: string | null;
  started_at: string | null;
  finished_at: string | null;
  /** AWS's request id of the call, when one was answered. */
  request_id: string | null;
  /** The queue job that claimed it (see run-target-job.ts). */
  claim_id: string | null;
  /** When its queue job was sent; null while a forEach's window holds it back. */
  sent_at: string | null;
}

/** A target's earlier attempts (retries, redrives): the row in run_targets is the latest. */
export interface RunTargetAttemptTable {
  run_id: string;
  idx: number;
  attempt: number;
  status: TargetStatus;
  duration_ms: number;
  error: string | null;
  request_id: string | null;
  aws_session: string | null;
  finished_at: string;
}

export interface RunTables {
  runs: RunTable;
  run_steps: RunStepTable;
  run_targets: RunTargetTable;
  run_target_attempts: RunTargetAttemptTable;
  server_instances: ServerInstanceTable;
}
