/**
 * The codes the engine records in a step's or a target's `error` when it did not succeed for a
 * reason of the run itself (not an HTTP error of the request that started it, and not AWS's own
 * code). Like src/errors.ts for errors and src/fan-out/skip-reasons.ts for skips: `docs/errors.md`
 * ("Run and target outcomes") lists each with what to do, and a test keeps the two in step. A
 * retired code is never reused.
 */
export type RunOutcomeCode =
  | "OUTCOME_UNKNOWN"
  | "STEP_TIMED_OUT"
  | "RUN_CANCELLED"
  | "RUN_TIMED_OUT"
  | "APPROVAL_TIMED_OUT"
  | "APPROVAL_DECLINED"
  | "APPROVAL_CONNECTION_UNKNOWN"
  | "TARGETS_FAILED"
  | "PROJECT_SCOPE"
  | "HTTP_STATUS"
  | "STEP_FAILED";

export interface RunOutcomeInfo {
  /** Where it is recorded: on a target, on a step, or on either. */
  on: "target" | "step" | "step or target";
  /** What happened, for a reader of the run. */
  message: string;
  /** What to do about it. */
  fix: string;
}

export const RUN_OUTCOME_CODES: Readonly<Record<RunOutcomeCode, RunOutcomeInfo>> = {
  OUTCOME_UNKNOWN: {
    on: "target",
    message:
      "an action that can change something (above Read) was sent, and the worker running it stopped before AWS's answer was recorded; the target is `unknown` and is never sent again, not even by a redrive",
    fix: "check in AWS (CloudTrail, with the target's role session name, or the resource itself) whether it took effect; if it did not, run the action again",
  },
  STEP_TIMED_OUT: {
    on: "step or target",
    message: "the step's `timeout` passed before AWS answered; the call was aborted",
    fix: "raise the step's timeout, or narrow its input (fewer pages with maxItems)",
  },
  RUN_CANCELLED: {
    on: "step or target",
    message: "the run was cancelled before this step or target ran, or while it ran",
    fix: "nothing, if that was intended; redrive the run to run what was cancelled",
  },
  RUN_TIMED_OUT: {
    on: "step or target",
    message:
      "the run passed its workflow's `timeout`: what had not started was cancelled, calls in flight were aborted, and the run failed",
    fix: "raise the workflow's timeout, or split the work into smaller runs",
  },
  APPROVAL_TIMED_OUT: {
    on: "step",
    message:
      "nobody approved or declined the approval step before its timeout (24 hours unless set)",
    fix: "run the workflow again (or redrive it) and approve in time, or give the approval a longer `timeout`",
  },
  APPROVAL_DECLINED: {
    on: "step",
    message:
      "a person with the approval's grant declined it; the message gives who and their reason",
    fix: "read the reason; change what it asks, then run the workflow again",
  },
  APPROVAL_CONNECTION_UNKNOWN: {
    on: "step",
    message:
      "the approval's `connection` (its expression's value, evaluated when the approval started to wait) is not a connection of the org, so nobody's grant could decide it; the message gives the value",
    fix: "make the approval's connection (or the inputs its expression reads) name an existing connection, then redrive the run",
  },
  TARGETS_FAILED: {
    on: "step",
    message:
      "some of the action step's targets failed, were refused or are unknown; the message counts them, and each target's own error says why",
    fix: "read the targets' errors (`GET /api/v1/runs/ID/targets?step=ID&status=failed`), fix them, then redrive the run",
  },
  PROJECT_SCOPE: {
    on: "target",
    message:
      "the connection belongs to another project, and only that project's workflows may use it; the target is refused and nothing was sent",
    fix: "use a connection of the workflow's own project (or of the org), or move the workflow into the connection's project",
  },
  HTTP_STATUS: {
    on: "step",
    message:
      "an http step's request was answered with a status other than 2xx (or than its `expectStatus`); the step's output keeps the status and the body",
    fix: "read the answer in the step's output; fix the request, or list the status in `expectStatus` if it means success",
  },
  STEP_FAILED: {
    on: "step",
    message:
      "a step could not start or run for a reason that has no code of its own; the message says what",
    fix: "read the message; fix the definition or the condition it names, then redrive the run",
  },
};

export function isRunOutcomeCode(code: string): code is RunOutcomeCode {
  return Object.hasOwn(RUN_OUTCOME_CODES, code);
}
