/**
 * Every status of runs, steps and targets, and every predicate on them: the engine, the routes
 * and the pages ask here, never compare strings of their own.
 */

/** interrupted: only runs from before the engine, whose process stopped before they finished. */
export const RUN_STATUSES = [
  "queued",
  "running",
  "waiting",
  "succeeded",
  "failed",
  "partial",
  "cancelled",
  "interrupted",
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const STEP_STATUSES = [
  "pending",
  "running",
  "waiting",
  "succeeded",
  "failed",
  "partial",
  "skipped",
  "cancelled",
  "interrupted",
] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/**
 * started: its request may have left (it is recorded before the request leaves); unknown: it was
 * started, can change something, and its worker stopped before the answer was recorded, so it is
 * not sent again.
 */
export const TARGET_STATUSES = [
  "pending",
  "started",
  "succeeded",
  "failed",
  "refused",
  "skipped",
  "unknown",
  "cancelled",
] as const;
export type TargetStatus = (typeof TARGET_STATUSES)[number];

/** The statuses counted in a summary: a settled target has one of these. */
export const SETTLED_TARGET_STATUSES = [
  "succeeded",
  "failed",
  "refused",
  "skipped",
  "unknown",
  "cancelled",
] as const;
export type SettledTargetStatus = (typeof SETTLED_TARGET_STATUSES)[number];

export type TargetSummary = Record<SettledTargetStatus, number> & { total: number };

const FINISHED_RUN = new Set<RunStatus>([
  "succeeded",
  "failed",
  "partial",
  "cancelled",
  "interrupted",
]);
const FINISHED_STEP = new Set<StepStatus>([
  "succeeded",
  "failed",
  "partial",
  "skipped",
  "cancelled",
  "interrupted",
]);
const SETTLED_TARGET = new Set<TargetStatus>(SETTLED_TARGET_STATUSES);

export function isRunFinished(status: RunStatus): boolean {
  return FINISHED_RUN.has(status);
}

export function isStepFinished(status: StepStatus): boolean {
  return FINISHED_STEP.has(status);
}

export function isTargetSettled(status: TargetStatus): boolean {
  return SETTLED_TARGET.has(status);
}

/** A run that can be redriven: it finished with something left to do again. */
export function isRedrivable(status: RunStatus): boolean {
  return status === "failed" || status === "partial" || status === "cancelled";
}

/** A target that a redrive runs again. */
export function isRedrivableTarget(status: TargetStatus): boolean {
  return status === "failed" || status === "cancelled";
}

export function emptySummary(): TargetSummary {
  return {
    total: 0,
    succeeded: 0,
    failed: 0,
    refused: 0,
    skipped: 0,
    unknown: 0,
    cancelled: 0,
  };
}

export function summarize(statuses: Iterable<TargetStatus>): TargetSummary {
  const summary = emptySummary();
  for (const status of statuses) {
    summary.total += 1;
    if (isTargetSettled(status)) summary[status as SettledTargetStatus] += 1;
  }
  return summary;
}

/**
 * A step's status from its targets' counts. Skips are not failures: a step whose only
 * non-successes are skips succeeded. Nothing run and something refused or failed: failed.
 */
export function stepStatusOf(
  summary: TargetSummary,
): "succeeded" | "failed" | "partial" | "cancelled" {
  const bad = summary.failed + summary.refused + summary.unknown;
  if (summary.cancelled > 0 && summary.succeeded === 0 && bad === 0) return "cancelled";
  if (bad === 0 && summary.cancelled === 0) return "succeeded";
  return summary.succeeded > 0 ? "partial" : "failed";
}

/**
 * A finished run's status from its steps. A step that failed with onError: continue counts as
 * partial for the run; a run whose only non-successes are skipped steps succeeded.
 */
export function runStatusOf(
  steps: { status: StepStatus; continueOnError: boolean }[],
  cancelled: boolean,
): "succeeded" | "failed" | "partial" | "cancelled" {
  if (cancelled) return "cancelled";
  let succeeded = 0;
  let bad = 0;
  for (const step of steps) {
    if (step.status === "succeeded") succeeded += 1;
    else if (step.status === "skipped") continue;
    else if (step.status === "partial") {
      succeeded += 1;
      bad += 1;
    } else if (step.status === "failed" && step.continueOnError) bad += 1;
    else if (step.status !== "pending") return "failed";
  }
  if (bad === 0) return "succeeded";
  return succeeded > 0 ? "partial" : "failed";
}
