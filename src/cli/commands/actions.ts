import type { Command } from "commander";
import type { ActionInfo, TargetResult } from "../../actions/index.js";
import { createApiClient, errorLine, type ApiClient } from "../api-client.js";
import { CliError } from "../cli-error.js";
import { globalOptions } from "../global-options.js";
import { printJson, printRows } from "../output.js";

interface RunFlags {
  connection?: string;
  region?: string;
  connections?: string;
  tag?: string;
  all?: boolean;
  regions?: string;
  input: string;
  maxItems?: string;
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

/** Reads the NDJSON stream, printing each target as it finishes and a progress line on a terminal. */
async function streamRun(
  api: ApiClient,
  id: string,
  body: unknown,
  json: boolean,
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
  let done = 0;
  let failed = 0;
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
        if (line.result.status === "failed" || line.result.status === "refused") failed += 1;
        if (tty) process.stderr.write("\r\x1b[K");
        const r = line.result;
        process.stdout.write(
          json
            ? `${JSON.stringify(r)}\n`
            : `${r.status.padEnd(9)} ${r.connection} ${r.region} ${Math.round(r.durationMs)}ms${r.error === undefined ? "" : ` ${r.error.code}: ${r.error.message}`}\n`,
        );
        if (tty) process.stderr.write(`${done} done, ${failed} failed or refused…`);
      } else if (line.summary !== undefined) {
        if (tty) process.stderr.write("\r\x1b[K");
        const s = line.summary;
        process.stderr.write(
          `run ${line.run?.id ?? ""}: ${s.total} targets: ${s.succeeded} succeeded, ${s.failed} failed, ${s.refused} refused, ${s.skipped} skipped${json ? "" : " (--json prints each output)"}\n`,
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
    .action(async (id: string, o: RunFlags, command: Command) => {
      const options = globalOptions(command);
      const api = createApiClient(options);
      const body = requestOf(o);
      if (body.connections !== undefined) {
        const allSucceeded = await streamRun(api, id, body, options.json);
        if (!allSucceeded) process.exitCode = 1;
        return;
      }
      const result = await api.request<{ output: unknown }>(
        "POST",
        `/actions/${encodeURIComponent(id)}/run`,
        body,
      );
      printJson(options.json ? result : result.output);
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
