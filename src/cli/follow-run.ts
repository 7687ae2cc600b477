import { setTimeout as delay } from "node:timers/promises";
import { isRunFinished, type RunDetail } from "../runs/index.js";
import type { ApiClient } from "./api-client.js";
import {
  runOutcome,
  runSubject,
  stepErrors,
  stepLines,
  targetProgress,
  waitLines,
} from "./run-lines.js";

export interface FollowRunDeps {
  api: ApiClient;
  write: (text: string) => void;
  /** Redraw in place with cursor moves (a terminal), or append a line per change (a pipe, a log). */
  tty: boolean;
  /** The terminal's width: a wrapped line would throw the redraw's cursor moves off. */
  columns: number;
  intervalMs: number;
  sleep: (ms: number) => Promise<void>;
}

const UP = (lines: number) => `\x1b[${lines}A`;
const CLEAR_LINE = "\r\x1b[2K";
const CLEAR_BELOW = "\x1b[J";

/**
 * Polls the run until it finishes, showing one line per step; returns the finished run.
 * A waiting approval is shown with what it waits for, and following goes on.
 */
export async function followRun(deps: FollowRunDeps, id: string): Promise<RunDetail> {
  const path = `/runs/${encodeURIComponent(id)}`;
  let drawn = 0;
  let first = true;
  // Without a terminal only changes are printed: durations tick on every poll, so they are left
  // out of what counts as a change.
  const printed = new Map<string, string>();
  let printedWaits = "";
  for (;;) {
    const run = await deps.api.request<RunDetail>("GET", path);
    if (first) {
      deps.write(`run ${run.id} (${runSubject(run)})\n`);
      first = false;
    }
    const lines = stepLines(run.steps);
    const waits = waitLines(run);
    if (deps.tty) {
      let frame = drawn > 0 ? UP(drawn) : "";
      for (const line of [...lines, ...waits]) {
        frame += `${CLEAR_LINE}${line.slice(0, Math.max(deps.columns - 1, 20))}\n`;
      }
      deps.write(`${frame}${CLEAR_BELOW}`);
      drawn = lines.length + waits.length;
    } else {
      for (const [i, step] of run.steps.entries()) {
        const key = `${step.status} ${targetProgress(step)}`;
        if (printed.get(step.id) === key) continue;
        printed.set(step.id, key);
        deps.write(`${lines[i] ?? step.id}\n`);
      }
      const waitBlock = waits.join("\n");
      if (waitBlock !== printedWaits && waitBlock !== "") deps.write(`${waitBlock}\n`);
      printedWaits = waitBlock;
    }
    if (isRunFinished(run.status)) {
      for (const line of [...stepErrors(run), runOutcome(run)]) deps.write(`${line}\n`);
      return run;
    }
    await deps.sleep(deps.intervalMs);
  }
}

/** 0 when the run succeeded; 1 when it failed, partly failed, was cancelled or interrupted. */
export function exitCodeOf(run: RunDetail): number {
  return run.status === "succeeded" ? 0 : 1;
}

/**
 * Follows a run on this process's standard output and sets the exit code from its outcome; with
 * `json`, prints only the finished run.
 */
export async function followOnStdout(
  api: ApiClient,
  id: string,
  json: boolean,
): Promise<RunDetail> {
  const run = await followRun(
    {
      api,
      write: json ? () => undefined : (text) => process.stdout.write(text),
      tty: process.stdout.isTTY === true,
      // A pseudo-terminal may report 0 columns: assume the classic width then.
      columns: process.stdout.columns > 0 ? process.stdout.columns : 80,
      intervalMs: 500,
      sleep: (ms) => delay(ms),
    },
    id,
  );
  if (json) process.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
  process.exitCode = exitCodeOf(run);
  return run;
}
