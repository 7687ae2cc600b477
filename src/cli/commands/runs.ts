import type { Command } from "commander";
import type { RunDetail, RunItem, RunStep, RunTargetResult } from "../../runs/index.js";
import { createApiClient, type ApiClient } from "../api-client.js";
import { fetchAll } from "../fetch-all.js";
import { followOnStdout } from "../follow-run.js";
import { globalOptions } from "../global-options.js";
import { printJson, printRows } from "../output.js";
import { failuresOf, formatDuration, runSubject, stepErrors, waitLines } from "../run-lines.js";

const out = (line: string) => process.stdout.write(`${line}\n`);

function summaryText(summary: RunItem["summary"]): string {
  if (summary === null) return "";
  const parts = [`${summary.succeeded} ok`];
  for (const key of ["failed", "refused", "skipped", "unknown", "cancelled"] as const) {
    const count = summary[key] ?? 0;
    if (count > 0) parts.push(`${count} ${key}`);
  }
  return parts.join(", ");
}

const RUN_COLUMNS = [
  { header: "id", value: (r: RunItem) => r.id },
  { header: "kind", value: (r: RunItem) => r.kind },
  { header: "what", value: (r: RunItem) => runSubject(r) },
  { header: "status", value: (r: RunItem) => r.status },
  { header: "actor", value: (r: RunItem) => r.actor },
  { header: "started", value: (r: RunItem) => r.startedAt },
  { header: "duration", value: (r: RunItem) => formatDuration(r.durationMs) },
  {
    header: "targets",
    value: (r: RunItem) =>
      r.targetCount === 0 ? "" : `${r.targetCount}: ${summaryText(r.summary)}`,
  },
];

const STEP_COLUMNS = [
  { header: "step", value: (s: RunStep) => s.id },
  { header: "kind", value: (s: RunStep) => (s.action === undefined ? s.kind : s.action) },
  { header: "status", value: (s: RunStep) => s.status },
  { header: "attempt", value: (s: RunStep) => String(s.attempt) },
  { header: "started", value: (s: RunStep) => s.startedAt },
  { header: "duration", value: (s: RunStep) => formatDuration(s.durationMs) },
  {
    header: "targets",
    value: (s: RunStep) =>
      s.targetCount === 0 ? "" : `${s.settledCount}/${s.targetCount}: ${summaryText(s.summary)}`,
  },
];

const TARGET_COLUMNS = [
  { header: "#", value: (t: RunTargetResult) => String(t.idx) },
  { header: "connection", value: (t: RunTargetResult) => t.connection },
  { header: "account", value: (t: RunTargetResult) => t.accountId },
  { header: "region", value: (t: RunTargetResult) => t.region },
  { header: "status", value: (t: RunTargetResult) => t.status },
  { header: "attempt", value: (t: RunTargetResult) => String(t.attempt) },
  { header: "duration", value: (t: RunTargetResult) => formatDuration(t.durationMs) },
  {
    header: "error",
    value: (t: RunTargetResult) =>
      t.error === undefined ? "" : `${t.error.code}: ${t.error.message}`,
  },
];

const runPath = (id: string, tail = "") => `/runs/${encodeURIComponent(id)}${tail}`;

function printRun(run: RunDetail): void {
  out(`run ${run.id} (${runSubject(run)}): ${run.status}`);
  out(
    `started ${run.startedAt} by ${run.actor}${run.runAs === null ? "" : `, runs as ${run.runAs}`}${run.trigger === null ? "" : `, trigger ${run.trigger}`}; ${run.finishedAt === null ? "still going" : `took ${formatDuration(run.durationMs)}`}`,
  );
  printRows(run.steps, STEP_COLUMNS, false, out);
  for (const line of [...waitLines(run), ...stepErrors(run)]) out(line);
  if (run.error !== undefined) out(`error: ${run.error.code}: ${run.error.message}`);
  const failing = run.steps.filter((s) => failuresOf(s.summary) > 0);
  if (failing.length > 0) {
    out(`the failed targets: switchboard run show ${run.id} --targets --status failed`);
  }
}

/** Every target of the chosen step (or of each step with targets), page after page. */
async function printTargets(
  api: ApiClient,
  run: RunDetail,
  o: { step?: string; status?: string },
  json: boolean,
): Promise<void> {
  const steps =
    o.step === undefined ? run.steps.filter((s) => s.targetCount > 0) : [{ id: o.step }];
  const pages: { step: string; targets: RunTargetResult[] }[] = [];
  for (const step of steps) {
    const query = new URLSearchParams({ step: step.id });
    if (o.status !== undefined) query.set("status", o.status);
    const targets = await fetchAll<RunTargetResult>(
      api,
      runPath(run.id, `/targets?${query.toString()}`),
    );
    if (json) {
      pages.push({ step: step.id, targets });
      continue;
    }
    out(
      `step ${step.id}: ${targets.length} targets${o.status === undefined ? "" : ` ${o.status}`}`,
    );
    printRows(targets, TARGET_COLUMNS, false, out);
  }
  if (json) printJson(pages);
}

export function registerRuns(program: Command): void {
  program
    .command("runs")
    .description("runs of actions and workflows, newest first")
    .option(
      "--status <status>",
      "queued, running, waiting, succeeded, failed, partial or cancelled",
    )
    .option("--workflow <name>", "the runs of one workflow")
    .option("--kind <kind>", "action or workflow")
    .option("--limit <n>", "at most this many (1 to 500)", "50")
    .action(
      async (
        o: { status?: string; workflow?: string; kind?: string; limit: string },
        command: Command,
      ) => {
        const options = globalOptions(command);
        const query = new URLSearchParams({ limit: o.limit });
        if (o.status !== undefined) query.set("status", o.status);
        if (o.workflow !== undefined) query.set("workflow", o.workflow);
        if (o.kind !== undefined) query.set("kind", o.kind);
        const { items } = await createApiClient(options).request<{ items: RunItem[] }>(
          "GET",
          `/runs?${query.toString()}`,
        );
        printRows(items, RUN_COLUMNS, options.json);
      },
    );

  const run = program
    .command("run")
    .description("one run: show it, follow it, cancel or redrive it");

  run
    .command("show <id>")
    .description("the run's steps with status and timing, and a summary of each step's targets")
    .option("--follow", "follow it live until it finishes (exit 0 only when it succeeded)")
    .option("--targets", "list every target, page after page")
    .option("--step <id>", "with --targets: only this step's")
    .option("--status <status>", "with --targets: only targets with this status (e.g. failed)")
    .action(
      async (
        id: string,
        o: { follow?: boolean; targets?: boolean; step?: string; status?: string },
        command: Command,
      ) => {
        const options = globalOptions(command);
        const api = createApiClient(options);
        const shown =
          o.follow === true
            ? await followOnStdout(api, id, options.json && o.targets !== true)
            : await api.request<RunDetail>("GET", runPath(id));
        if (o.targets === true) return printTargets(api, shown, o, options.json);
        if (o.follow === true) return;
        if (options.json) return printJson(shown);
        printRun(shown);
      },
    );

  run
    .command("cancel <id>")
    .description("stop a run: its work stops within seconds")
    .action(async (id: string, _o: unknown, command: Command) => {
      const options = globalOptions(command);
      const result = await createApiClient(options).request("POST", runPath(id, "/cancel"));
      if (options.json) return printJson(result);
      out(`cancelling run ${id}`);
    });

  run
    .command("redrive <id>")
    .description("run a failed run's failed steps and targets again, in the same run")
    .option("--follow", "follow it live until it finishes")
    .action(async (id: string, o: { follow?: boolean }, command: Command) => {
      const options = globalOptions(command);
      const api = createApiClient(options);
      const result = await api.request<{ id: string; steps: number; targets: number }>(
        "POST",
        runPath(id, "/redrive"),
      );
      if (o.follow === true) {
        await followOnStdout(api, id, options.json);
        return;
      }
      if (options.json) return printJson(result);
      out(
        `redriving run ${id}: ${result.steps} steps, ${result.targets} targets again (switchboard run show ${id} --follow)`,
      );
    });

  program
    .command("approve <id>")
    .description("approve a run's waiting approval step (you need the grant it names)")
    .option("--step <id>", "the approval step (default: the one waiting)")
    .option("--reason <text>", "why, kept with the decision")
    .action(async (id: string, o: { step?: string; reason?: string }, command: Command) => {
      const options = globalOptions(command);
      const result = await createApiClient(options).request("POST", runPath(id, "/approve"), {
        ...(o.step === undefined ? {} : { step: o.step }),
        ...(o.reason === undefined ? {} : { reason: o.reason }),
      });
      if (options.json) return printJson(result);
      out(`approved ${o.step === undefined ? "the waiting step" : `step ${o.step}`} of run ${id}`);
    });

  program
    .command("decline <id>")
    .description("decline a run's waiting approval step: the step fails with your reason")
    .requiredOption("--reason <text>", "why, shown on the run")
    .option("--step <id>", "the approval step (default: the one waiting)")
    .action(async (id: string, o: { step?: string; reason: string }, command: Command) => {
      const options = globalOptions(command);
      const result = await createApiClient(options).request("POST", runPath(id, "/decline"), {
        ...(o.step === undefined ? {} : { step: o.step }),
        reason: o.reason,
      });
      if (options.json) return printJson(result);
      out(`declined ${o.step === undefined ? "the waiting step" : `step ${o.step}`} of run ${id}`);
    });
}
