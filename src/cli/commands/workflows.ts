import fs from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import type {
  DefinitionError,
  PreflightResponse,
  WorkflowDetail,
  WorkflowItem,
} from "../../workflows/index.js";
import { createApiClient, errorLine } from "../api-client.js";
import { CliError } from "../cli-error.js";
import { followOnStdout } from "../follow-run.js";
import { globalOptions } from "../global-options.js";
import { printJson, printRows } from "../output.js";
import { parseInputs } from "../parse-inputs.js";

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

const workflowPath = (name: string, tail = "") => `/workflows/${encodeURIComponent(name)}${tail}`;

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** JSON by the file's extension, else by its first character; YAML otherwise. */
function contentTypeOf(file: string, text: string): string {
  const extension = path.extname(file).toLowerCase();
  if (extension === ".json") return "application/json";
  if (extension === ".yaml" || extension === ".yml") return "application/yaml";
  return text.trimStart().startsWith("{") ? "application/json" : "application/yaml";
}

function readDefinition(file: string): string {
  try {
    return fs.readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (error) {
    throw new CliError(
      `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** "line 4, column 7: steps[0].action: expected …": what an editor jump needs, one per line. */
export function definitionErrorLine(e: DefinitionError): string {
  return `line ${e.line}, column ${e.column}: ${e.path === "" ? "" : `${e.path}: `}${e.message}`;
}

function versionNumber(text: string): number {
  if (!/^[1-9]\d{0,8}$/.test(text)) throw new CliError(`version ${text}: expected a number`);
  return Number(text);
}

type SavedWorkflow = WorkflowDetail & { webhookSecret?: string };

const WORKFLOW_COLUMNS = [
  { header: "name", value: (w: WorkflowItem) => w.name },
  { header: "project", value: (w: WorkflowItem) => w.project },
  { header: "version", value: (w: WorkflowItem) => String(w.version) },
  { header: "steps", value: (w: WorkflowItem) => String(w.stepCount) },
  {
    header: "last run",
    value: (w: WorkflowItem) =>
      w.lastRun === null ? null : `${w.lastRun.status} ${w.lastRun.startedAt}`,
  },
  {
    header: "next run",
    value: (w: WorkflowItem) =>
      w.schedules
        .map((s) => s.nextAt)
        .filter((at): at is string => at !== null)
        .sort()[0],
  },
  {
    header: "triggers",
    value: (w: WorkflowItem) =>
      [...w.schedules.map((s) => `cron ${s.cron}`), ...(w.webhook ? ["webhook"] : [])].join(", "),
  },
];

/** A saved workflow's new version, and its webhook secret the one time the API shows it. */
function printSaved(saved: SavedWorkflow, how: string, json: boolean): void {
  if (json) printJson(saved);
  else {
    out(
      `workflow ${saved.name} ${how}: version ${saved.version}${saved.project === null ? "" : ` in project ${saved.project}`}`,
    );
    if (saved.webhookSecret !== undefined) {
      out(`webhook ${saved.webhookUrl ?? ""}`);
      out(`webhook secret: ${saved.webhookSecret}`);
    }
  }
  if (saved.webhookSecret !== undefined) {
    err(
      `warning: the webhook secret is shown only this once; store it with the caller that signs the requests (a new one: POST /api/v1/workflows/${saved.name}/webhook/rotate)`,
    );
  }
}

function printWorkflow(w: WorkflowDetail): void {
  out(`workflow ${w.name} v${w.version}${w.project === null ? "" : ` in project ${w.project}`}`);
  if (w.description !== null) out(w.description);
  out(`updated ${w.updatedAt} by ${w.updatedBy}${w.runAs === null ? "" : `; runs as ${w.runAs}`}`);
  for (const s of w.schedules) {
    out(
      `schedule ${s.cron} (${s.timezone}): next ${s.nextAt ?? "-"}, last ${s.lastFiredAt ?? "never"}${s.missedSlots > 0 ? `, ${s.missedSlots} slots missed while no worker ran` : ""}`,
    );
  }
  if (w.webhookUrl !== null) out(`webhook ${w.webhookUrl}`);
  out(
    `versions: ${w.versions.map((v) => `${v.version} (${v.createdAt} by ${v.createdBy})`).join(", ")}`,
  );
  out("---");
  process.stdout.write(w.source.endsWith("\n") ? w.source : `${w.source}\n`);
}

function printPreflight(p: PreflightResponse): void {
  out(`preflight of ${p.workflow} v${p.version}, running as ${p.runAs}: ${p.ok ? "ok" : "not ok"}`);
  for (const step of p.steps) {
    const what = step.action === undefined ? step.kind : step.action;
    const access = step.accessLevel === undefined ? "" : `, ${step.accessLevel}`;
    out(`step ${step.id} (${what}${access}):`);
    if (step.iamActions.length > 0) out(`  IAM: ${step.iamActions.join(", ")}`);
    if (!step.targetsKnown) out("  targets: known only at run time (they depend on earlier steps)");
    for (const t of step.targets) {
      const why =
        t.code === undefined ? "" : ` ${t.code}${t.reason === undefined ? "" : `: ${t.reason}`}`;
      out(`  ${t.outcome.padEnd(7)} ${t.connection} ${t.accountId ?? "-"} ${t.region}${why}`);
    }
    for (const note of step.notes) out(`  note: ${note}`);
  }
  if (p.missingGrants.length > 0) out("missing grants:");
  for (const g of p.missingGrants) {
    out(`  step ${g.step}: ${g.role} on ${g.connection}: ${g.reason}`);
  }
  if (p.accessRefusals.length > 0) out("refused by a connection's access setting:");
  for (const r of p.accessRefusals) {
    out(`  step ${r.step}: ${r.iamAction} is ${r.accessLevel}, ${r.connection} allows ${r.access}`);
  }
  // Connections that need the same policy share one listing: a fan-out over fifty accounts
  // usually needs one policy, not fifty copies of it.
  const byPolicy = new Map<string, string[]>();
  for (const c of p.permissions) {
    const policy = JSON.stringify(c.policy, null, 2);
    byPolicy.set(policy, [...(byPolicy.get(policy) ?? []), c.connection]);
  }
  for (const [policy, connections] of byPolicy) {
    out(
      connections.length === 1
        ? `IAM policy the role of ${connections.join("")} needs:`
        : `IAM policy the roles of ${connections.join(", ")} need:`,
    );
    out(policy);
  }
}

export function registerWorkflows(program: Command): void {
  const workflow = program
    .command("workflow")
    .description("workflows: apply a YAML or JSON definition, list, show, run, preflight");

  workflow
    .command("apply")
    .description(
      "create or update a workflow from a YAML or JSON file (each save is a new version)",
    )
    .requiredOption("-f, --file <path>", "the definition (YAML or JSON; - reads standard input)")
    .option("--project <name>", "put a new workflow in this project")
    .action(async (o: { file: string; project?: string }, command: Command) => {
      const options = globalOptions(command);
      const text = readDefinition(o.file);
      const query = o.project === undefined ? "" : `?project=${encodeURIComponent(o.project)}`;
      const response = await createApiClient(options).raw(
        "POST",
        `/workflows${query}`,
        text,
        contentTypeOf(o.file, text),
      );
      const body: unknown = await response.json().catch(() => null);
      if (!response.ok) {
        const details = (body as { error?: { details?: unknown } } | null)?.error?.details;
        if (!Array.isArray(details)) throw new CliError(errorLine(response.status, body));
        // The message repeats the first error; one line per error says more, as an editor lists them.
        const code = (body as { error?: { code?: string } }).error?.code ?? response.status;
        err(`error: ${o.file}: the workflow definition is invalid (${code}):`);
        for (const detail of details as DefinitionError[]) err(`  ${definitionErrorLine(detail)}`);
        process.exitCode = 1;
        return;
      }
      printSaved(body as SavedWorkflow, "saved", options.json);
    });

  workflow
    .command("list")
    .description("workflows with their last run and next scheduled run")
    .action(async (_o: unknown, command: Command) => {
      const options = globalOptions(command);
      const { items } = await createApiClient(options).request<{ items: WorkflowItem[] }>(
        "GET",
        "/workflows",
      );
      printRows(items, WORKFLOW_COLUMNS, options.json);
    });

  workflow
    // A version is an argument, not --version: the program's own --version is read anywhere.
    .command("show <name> [version]")
    .description(
      "a workflow, its versions and its definition; with a version, that version's definition",
    )
    .action(async (name: string, version: string | undefined, _o: unknown, command: Command) => {
      const options = globalOptions(command);
      const api = createApiClient(options);
      if (version !== undefined) {
        const stored = await api.request<{ source?: unknown }>(
          "GET",
          workflowPath(name, `/versions/${versionNumber(version)}`),
        );
        if (options.json || typeof stored.source !== "string") return printJson(stored);
        process.stdout.write(stored.source.endsWith("\n") ? stored.source : `${stored.source}\n`);
        return;
      }
      const detail = await api.request<WorkflowDetail>("GET", workflowPath(name));
      if (options.json) return printJson(detail);
      printWorkflow(detail);
    });

  workflow
    .command("restore <name> <version>")
    .description("save an older version again as the newest")
    .action(async (name: string, version: string, _o: unknown, command: Command) => {
      const options = globalOptions(command);
      const saved = await createApiClient(options).request<SavedWorkflow>(
        "POST",
        workflowPath(name, `/versions/${versionNumber(version)}/restore`),
      );
      printSaved(saved, `restored from version ${version}`, options.json);
    });

  workflow
    .command("delete <name>")
    .description("delete a workflow (its runs stay)")
    .action(async (name: string, _o: unknown, command: Command) => {
      await createApiClient(globalOptions(command)).request("DELETE", workflowPath(name));
      out(`deleted workflow ${name}`);
    });

  workflow
    .command("run <name>")
    .description("start a run; with --follow, show its progress until it finishes")
    .option(
      "--input <key=value>",
      "an input; the value is JSON when it parses as JSON (repeatable)",
      collect,
      [],
    )
    .option("--input-json <json>", "the inputs as one JSON object")
    .option("--follow", "follow it live (exit 0 only when it succeeded)")
    .action(
      async (
        name: string,
        o: { input: string[]; inputJson?: string; follow?: boolean },
        command: Command,
      ) => {
        const options = globalOptions(command);
        const api = createApiClient(options);
        const inputs = parseInputs(o.input, o.inputJson);
        const { id } = await api.request<{ id: string }>("POST", workflowPath(name, "/runs"), {
          inputs,
        });
        if (o.follow === true) {
          await followOnStdout(api, id, options.json);
          return;
        }
        if (options.json) return printJson({ id });
        out(`started run ${id}: switchboard run show ${id} --follow`);
      },
    );

  workflow
    .command("preflight <name>")
    .description(
      "what a run would reach, the grants and access it lacks and the IAM policy per connection; nothing is sent to AWS (exit 1 when something is missing)",
    )
    .option("--input <key=value>", "an input, as for run (repeatable)", collect, [])
    .option("--input-json <json>", "the inputs as one JSON object")
    .action(async (name: string, o: { input: string[]; inputJson?: string }, command: Command) => {
      const options = globalOptions(command);
      const result = await createApiClient(options).request<PreflightResponse>(
        "POST",
        workflowPath(name, "/preflight"),
        { inputs: parseInputs(o.input, o.inputJson) },
      );
      if (options.json) printJson(result);
      else printPreflight(result);
      if (!result.ok) process.exitCode = 1;
    });
}
