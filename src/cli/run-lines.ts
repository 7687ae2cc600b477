import type { RunPlan } from "../actions/index.js";
import { itemCount, mainList, type RunDetail, type RunItem, type RunStep } from "../runs/index.js";

/** 850ms, 12.3s, 4m05s: the precision a person reads at a glance. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return "-";
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, "0")}s`;
}

/** What a run ran: its workflow and version, or the single action. */
export function runSubject(run: RunItem): string {
  if (run.workflow !== null) return `${run.workflow.name} v${run.workflow.version}`;
  return run.actionId ?? "-";
}

/** Targets that did not succeed and were not skipped on purpose. */
export function failuresOf(summary: RunStep["summary"]): number {
  if (summary === null) return 0;
  return summary.failed + summary.refused + summary.unknown;
}

/** "6/6 targets, 1 failed", or "" for a step without targets (transform, approval). */
export function targetProgress(step: RunStep): string {
  if (step.targetCount === 0) return "";
  return `${step.settledCount}/${step.targetCount} targets, ${failuresOf(step.summary)} failed`;
}

/** One line per step: id, kind, status, progress through its targets, time. */
export function stepLines(steps: readonly RunStep[]): string[] {
  const idWidth = Math.max(...steps.map((s) => s.id.length), 4);
  return steps.map((step) =>
    [
      step.id.padEnd(idWidth),
      step.kind.padEnd(9),
      step.status.padEnd(9),
      targetProgress(step).padEnd(28),
      step.durationMs === null ? "" : formatDuration(step.durationMs),
    ]
      .join("  ")
      .trimEnd(),
  );
}

/** The connections whose holders decide, five at most; undefined when the run does not say. */
function decidersText(deciders: string[] | undefined): string | undefined {
  if (deciders === undefined) return undefined;
  if (deciders.length === 0) return "no connection (an org admin decides)";
  const more = deciders.length > 5 ? ` and ${deciders.length - 5} more` : "";
  return `${deciders.slice(0, 5).join(", ")}${more}`;
}

/**
 * What a waiting approval waits for, then the commands that answer it on a line of their own (a
 * terminal cuts long lines, and the command is what a person copies).
 */
export function waitLines(run: RunDetail): string[] {
  return run.steps
    .filter((step) => step.status === "waiting" && step.approval !== undefined)
    .flatMap((step) => {
      const approval = step.approval;
      const on =
        decidersText(approval?.deciders) ?? approval?.connection ?? "a connection of the run";
      const until = approval?.waitUntil == null ? "" : ` until ${approval.waitUntil}`;
      const message = approval?.message === undefined ? "" : `: ${approval.message}`;
      return [
        `waiting for approval of step ${step.id} by a holder of ${approval?.grant ?? "executor"} on ${on}${until}${message}`,
        `  switchboard approve ${run.id} --step ${step.id}   (or: decline ${run.id} --step ${step.id} --reason …)`,
      ];
    });
}

/** The last line of a run: its status, time and, when it has one, its error. */
export function runOutcome(run: RunDetail): string {
  const error = run.error === undefined ? "" : `: ${run.error.code}: ${run.error.message}`;
  return `run ${run.id} ${run.status} in ${formatDuration(run.durationMs)}${error}`;
}

/** Each failed step's error, so a failure is explained without another command. */
export function stepErrors(run: RunDetail): string[] {
  return run.steps
    .filter((step) => step.error !== undefined)
    .map((step) => `step ${step.id}: ${step.error?.code ?? ""}: ${step.error?.message ?? ""}`);
}

// A plan of thousands of targets is summed up, not listed: the first ones show what it is.
const PLAN_TARGETS_SHOWN = 20;

/** What a run would do, for a person to confirm: the action, each target's outcome, the counts. */
export function planLines(plan: RunPlan): string[] {
  const width = Math.max(...plan.targets.map((t) => t.connection.length), 10);
  const lines = [
    `${plan.action}: ${plan.iamActions.join(", ")} (access level ${plan.accessLevel})${plan.write ? ", which can change something" : ""}`,
    ...plan.targets
      .slice(0, PLAN_TARGETS_SHOWN)
      .map((t) =>
        [
          `  ${t.outcome.padEnd(7)}`,
          t.connection.padEnd(width),
          (t.accountId ?? "-").padEnd(12),
          t.region.padEnd(14),
          t.code === undefined ? "" : `${t.code}: ${t.reason ?? ""}`,
        ]
          .join(" ")
          .trimEnd(),
      ),
  ];
  if (plan.targets.length > PLAN_TARGETS_SHOWN)
    lines.push(`  … and ${plan.targets.length - PLAN_TARGETS_SHOWN} more`);
  const s = plan.summary;
  lines.push(
    `${s.total} target${s.total === 1 ? "" : "s"}: ${s.runs} would run, ${s.refused} refused, ${s.skipped} skipped`,
  );
  return lines;
}

/** " 4 Instances" — the items of an output's main list — or "" when it has none. */
export function countText(output: unknown): string {
  const count = itemCount(output);
  if (count === undefined) return "";
  return ` ${count} ${mainList(output)?.name ?? "items"}`;
}
