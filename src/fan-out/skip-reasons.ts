/**
 * Why a target was skipped: the catalogue, like src/errors.ts for errors. A skipped target ran no
 * call and is not a failure (a run or step whose only non-successes are skips succeeds).
 * `docs/errors.md` ("Skip reasons") lists each with what to do, and a test keeps the two in step.
 * A retired reason is never reused.
 */
export type SkipReason =
  | "REGION_NOT_ALLOWED"
  | "REGION_NOT_ENABLED"
  | "SAME_ACCOUNT"
  | "SAME_ACCOUNT_REGION"
  | "CONDITION_FALSE"
  | "UPSTREAM_FAILED"
  | "ACCOUNT_UNREACHABLE"
  | "REGION_BLOCKED";

export interface SkipReasonInfo {
  /** What happened, for a reader of the run. */
  message: string;
  /** What to do if the target should have run; absent when skipping is the intended outcome. */
  fix?: string;
}

export const SKIP_REASONS: Readonly<Record<SkipReason, SkipReasonInfo>> = {
  REGION_NOT_ALLOWED: {
    message:
      "the region asked for is not one of the connection's regions, or the connection has no regions yet",
    fix: "test the connection (it learns the regions its account has enabled), or add the region to the connection's regions",
  },
  REGION_NOT_ENABLED: {
    message:
      "the region is an opt-in region (launched since March 2019) the connection's account has not enabled: AWS does not know its credentials there",
    fix: "enable the region for the account (AWS console → Account → AWS Regions), or take it out of the connection's regions",
  },
  SAME_ACCOUNT: {
    message:
      "another connection reaches the same AWS account, and the action is of a global service (IAM, S3, Route 53…), which runs once per account",
    fix: "to run it through this connection instead, leave the other out of the fan-out",
  },
  SAME_ACCOUNT_REGION: {
    message:
      "another connection reaches the same AWS account and region, and the fan-out runs once per (account, region) by default",
    fix: "to run it through this connection instead, leave the other out of the fan-out",
  },
  CONDITION_FALSE: {
    message: "the step's `if` expression was false for this target",
    fix: "if it should have run, check the expression against the run's inputs and earlier steps' outputs",
  },
  UPSTREAM_FAILED: {
    message: "an earlier step this step depends on failed, so this step did not run",
    fix: "fix the earlier step's failure and run the workflow again",
  },
  ACCOUNT_UNREACHABLE: {
    message:
      "the organization's health ledger marks the account unreachable (its role cannot be assumed), so the fan-out did not try it",
    fix: "deploy or repair the account's role (the organization's StackSet), then reconcile the organization",
  },
  REGION_BLOCKED: {
    message:
      "the organization's health ledger marks the region blocked for the account: an opt-in region it has not enabled, or a service control policy denies the member role there (the message says which, and when the reconcile saw it)",
    fix: "enable the region for the account, or change the SCP (in the management account) if the account should work there, then reconcile the organization",
  },
};

/** Whether a stored code is a skip reason (rather than an error code). */
export function isSkipReason(code: string): code is SkipReason {
  return Object.hasOwn(SKIP_REASONS, code);
}
