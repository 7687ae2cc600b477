import { createInterface } from "node:readline/promises";
import { Option, type Command } from "commander";
import type { ActionInfo, RunPlan, TargetResult } from "../../actions/index.js";
import { itemCount } from "../../runs/index.js";
import { createApiClient, errorLine, type ApiClient } from "../api-client.js";
import { CliError } from "../cli-error.js";
import { confirmWrite } from "../confirm-write.js";
import { globalOptions } from "../global-options.js";
import { OUTPUT_FORMATS, printItems, printJson, printRows, type OutputFormat } from "../output.js";
import { countText, planLines } from "../run-lines.js";

interface RunFlags {
  connection?: string;
  region?: string;
  connections?: string;
  tag?: string;
  all?: boolean;
  regions?: string;
  input: string;
  maxItems?: string;
  everyConnection?: boolean;
  yes?: boolean;
  output?: OutputFormat;
  columns?: string;
}

function parseInput(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new CliError(
      `--input: expected JSON, e.g. '{"Filters":[{"Name":"instance-state-name","Values":["running"]}]}'`,
    );
  }
}

function requestOf(o: RunFlags): Record<string, unknown> {
  const body: Record<string, unknown> = { input: parseInput(o.input) };
  if (o.maxItems !== undefined) body.maxItems = Number(o.maxItems);
  const fanOut = o.connections !== undefined || o.tag !== undefined || o.all === true;
  if (!fanOut) {
    if (o.connection === undefined || o.region === undefined) {
      throw new CliError(
        "give --connection and --region, or --connections/--tag/--all for a fan-out",
      );
    }
    return { ...body, connection: o.connection, region: o.region };
  }
  if (o.everyConnection === true) body.everyConnection = true;
  body.connections =
    o.all === true
      ? "*"
      : o.tag !== undefined
        ? { tag: o.tag }
        : (o.connections ?? "").split(",").filter(Boolean);
  body.regions =
    o.regions === undefined || o.regions === "*" ? "*" : o.regions.split(",").filter(Boolean);
  return body;
}

/** Asks on the terminal (standard error: standard output stays the run's data). */
async function askOnTerminal(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

interface StreamOptions {
  /** Each result as a JSON line (--json, --output json). */
  json: boolean;
  /** Collect the results and print their items as one table or CSV at the end. */
  items?: { format: "table" | "csv"; columns: string[] | undefined };
  /** The targets the plan counted, for the progress line. */
  total: number;
}

/**
 * Reads the NDJSON stream: a line per target as it finishes (its status, time and the count of its
 * output's items) and a summary, or every target's items as one table or CSV; on a terminal a
 * progress line (done / total, failures) on standard error.
 */
async function streamRun(
  api: ApiClient,
  id: string,
  body: unknown,
  options: StreamOptions,
): Promise<boolean> {
  const response = await api.raw(
    "POST",
    `/actions/${encodeURIComponent(id)}/run?stream=true`,
    body,
  );
  if (!response.ok || response.body === null) {
    throw new CliError(errorLine(response.status, await response.json().catch(() => null)));
  }
  const tty = process.stderr.isTTY;
  const collected: TargetResult[] = [];
  let done = 0;
  let failed = 0;
  let items = 0;
  let buffer = "";
  const decoder = new TextDecoder();
  for await (const chunk of response.body) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let newline = buffer.indexOf("\n");
    while (newline >= 0) {
      const line = JSON.parse(buffer.slice(0, newline)) as {
        result?: TargetResult;
        run?: { id: string };
        summary?: Record<string, number>;
        error?: { message: string };
      };
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf("\n");
      if (line.result !== undefined) {
        done += 1;
        const r = line.result;
        if (r.status === "failed" || r.status === "refused") failed += 1;
        if (tty) process.stderr.write("\r\x1b[K");
        const count = countText(r.output);
        items += itemCount(r.output) ?? 0;
        if (options.items !== undefined) collected.push(r);
        else
          process.stdout.write(
            options.json
              ? `${JSON.stringify(r)}\n`
              : `${r.status.padEnd(9)} ${r.connection} ${r.region} ${Math.round(r.durationMs)}ms${count}${r.error === undefined ? "" : ` ${r.error.code}: ${r.error.message}`}\n`,
          );
        if (tty)
          process.stderr.write(`${done}/${options.total} done, ${failed} failed or refused…`);
      } else if (line.summary !== undefined) {
        if (tty) process.stderr.write("\r\x1b[K");
        if (options.items !== undefined)
          printItems(collected, options.items.format, options.items.columns);
        const s = line.summary;
        const hint =
          options.json || options.items !== undefined
            ? ""
            : items > 0
              ? `; ${items} items in all (--output table, csv or json prints them)`
              : " (--json prints each output)";
        process.stderr.write(
          `run ${line.run?.id ?? ""}: ${s.total} targets: ${s.succeeded} succeeded, ${s.failed} failed, ${s.refused} refused, ${s.skipped} skipped${hint}\n`,
        );
      } else if (line.error !== undefined) {
        throw new CliError(line.error.message);
      }
    }
  }
  return failed === 0;
}

export function registerActions(program: Command): void {
  const action = program
    .command("action")
    .description("AWS actions: list the catalog, run one on a target or across many");

  action
    .command("list")
    .description("the catalog with IAM permissions and access levels")
    .action(async (_o: unknown, command: Command) => {
      const options = globalOptions(command);
      const { items } = await createApiClient(options).request<{ items: ActionInfo[] }>(
        "GET",
        "/actions",
      );
      printRows(
        items,
        [
          { header: "id", value: (a: ActionInfo) => a.id },
          { header: "access level", value: (a: ActionInfo) => a.accessLevel },
          {
            header: "permissions",
            value: (a: ActionInfo) => a.permissions.map((p) => p.action).join(", "),
          },
          { header: "title", value: (a: ActionInfo) => a.title },
        ],
        options.json,
      );
    });

  action
    .command("run <id>")
    .description(
      "run an action; with --connections/--tag/--all it fans out and streams results as they arrive",
    )
    .option("--connection <name>", "one target: the connection")
    .option("--region <region>", "one target: the region")
    .option("--connections <names>", "fan-out: comma-separated connection names")
    .option("--tag <key=value>", "fan-out: every connection with this tag that you may execute")
    .option("--all", "fan-out: every connection you may execute")
    .option(
      "--regions <list>",
      "fan-out: comma-separated regions, or * for each connection's own",
      "*",
    )
    .option("--input <json>", "the action's input as JSON", "{}")
    .option("--max-items <n>", "stop following pages after n items")
    .option(
      "--every-connection",
      "fan-out: run on every connection, even several to one account and region (default: once per account and region)",
    )
    .option("--yes", "run an action that can change something without asking (scripts)")
    .addOption(
      new Option(
        "--output <format>",
        "table or csv: every target's items in one table (account, connection, region columns); json: each result",
      ).choices(OUTPUT_FORMATS),
    )
    .option(
      "--columns <fields>",
      "--output table/csv: these fields (comma-separated), e.g. InstanceId,State.Name",
    )
    .action(async (id: string, o: RunFlags, command: Command) => {
      const options = globalOptions(command);
      const api = createApiClient(options);
      const body = requestOf(o);
      const path = `/actions/${encodeURIComponent(id)}`;
      // The plan first: a write is shown and confirmed before anything runs.
      const plan = await api.request<RunPlan>("POST", `${path}/plan`, body);
      await confirmWrite(plan, o.yes === true, {
        interactive: process.stdin.isTTY === true && process.stderr.isTTY === true,
        ask: askOnTerminal,
        write: (text) => process.stderr.write(text),
      });
      const json = options.json || o.output === "json";
      const columns = o.columns?.split(",").filter(Boolean);
      const items =
        o.output === "table" || o.output === "csv" ? { format: o.output, columns } : undefined;
      if (body.connections !== undefined) {
        const allSucceeded = await streamRun(api, id, body, {
          json,
          total: plan.summary.total,
          ...(items === undefined ? {} : { items }),
        });
        if (!allSucceeded) process.exitCode = 1;
        return;
      }
      const result = await api.request<{ output: unknown }>("POST", `${path}/run`, body);
      if (items !== undefined)
        printItems(
          [
            {
              connection: o.connection ?? "",
              accountId: plan.targets[0]?.accountId ?? null,
              region: o.region ?? "",
              output: result.output,
            },
          ],
          items.format,
          items.columns,
        );
      else printJson(json ? result : result.output);
    });

  action
    .command("plan <id>")
    .description(
      "what a run would do, without calling AWS: its targets, which are refused or skipped and why, its IAM actions and access level",
    )
    .option("--connection <name>", "one target: the connection")
    .option("--region <region>", "one target: the region")
    .option("--connections <names>", "fan-out: comma-separated connection names")
    .option("--tag <key=value>", "fan-out: every connection with this tag that you may execute")
    .option("--all", "fan-out: every connection you may execute")
    .option(
      "--regions <list>",
      "fan-out: comma-separated regions, or * for each connection's own",
      "*",
    )
    .option("--input <json>", "the action's input as JSON", "{}")
    .option("--every-connection", "fan-out: every connection, not once per account and region")
    .action(async (id: string, o: RunFlags, command: Command) => {
      const options = globalOptions(command);
      const plan = await createApiClient(options).request<RunPlan>(
        "POST",
        `/actions/${encodeURIComponent(id)}/plan`,
        requestOf(o),
      );
      if (options.json) printJson(plan);
      else for (const line of planLines(plan)) process.stdout.write(`${line}\n`);
    });

  program
    .command("policy")
    .description("IAM policies for Switchboard's actions")
    .command("minimal")
    .description(
      "the least-privilege IAM policy for actions (ids, or service:Operation for aws.call)",
    )
    .requiredOption(
      "--action <id>",
      "an action id or service:Operation (repeatable)",
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .action(async (o: { action: string[] }, command: Command) => {
      const actions = o.action.map((a) => {
        const call = /^([a-z0-9-]+):([A-Z]\w+)$/.exec(a);
        return call === null ? a : { service: call[1], operation: call[2] };
      });
      printJson(
        await createApiClient(globalOptions(command)).request("POST", "/policies/minimal", {
          actions,
        }),
      );
    });
}
