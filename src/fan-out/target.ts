import type { AccessDecision, TargetResult } from "../actions/index.js";
import type { ConnectionRecord } from "../connections/index.js";

/** One (connection, region) a fan-out reaches, or reports without reaching. */
export interface Target {
  /** The connection's name (as asked, for a named connection the principal may not execute). */
  name: string;
  /** Absent for a named connection the principal may not execute. */
  connection?: ConnectionRecord;
  region: string;
  /** Set when the target is reported without running (skipped, refused). */
  preset?: Pick<TargetResult, "status" | "error">;
  /**
   * `account/region/service`: AWS throttles per account, region and API whoever calls, so calls
   * are bounded per bucket. Absent when the target does not run (preset).
   */
  bucket?: string;
}

/** What one target came to: its result, and its output as the run_targets `output` column holds it. */
export interface TargetOutcome {
  result: TargetResult;
  /** The run_targets `output` column (see storeOutput); null without an output. */
  stored: string | null;
  bytes: number;
  /**
   * The run's signal was aborted before the target settled: `sent` says whether its call had
   * left (abandoned in flight: AWS may have received it) or not (it never ran).
   */
  cancelled?: { sent: boolean };
}

/**
 * Whether a connection's access setting allows the run's action (actions' accessCheckOf, on the
 * IAM data): asked per target, answered from a cache after the first time.
 */
export type AccessCheck = (setting: ConnectionRecord["access"]) => Promise<AccessDecision>;
