import type { Command } from "commander";
import type { OutboundSettings } from "../../outbound/index.js";
import { createApiClient } from "../api-client.js";
import { CliError } from "../cli-error.js";
import { globalOptions } from "../global-options.js";
import { printJson } from "../output.js";

function printSettings(settings: OutboundSettings, json: boolean): void {
  if (json) return printJson(settings);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  if (settings.allow.length === 0) out("(empty: every outbound request is refused)");
  for (const pattern of settings.allow) out(pattern);
  out(
    settings.isDefault
      ? "(the defaults: never changed)"
      : `(updated ${settings.updatedAt ?? "?"} by ${settings.updatedBy ?? "?"})`,
  );
}

export function registerSettings(program: Command): void {
  const settings = program.command("settings").description("org settings (admins)");
  const outbound = settings
    .command("outbound")
    .description("the hosts Switchboard may send requests to for this org");

  outbound
    .command("show")
    .description("print the outbound allow-list")
    .action(async (_o: unknown, command: Command) => {
      const options = globalOptions(command);
      const current = await createApiClient(options).request<OutboundSettings>(
        "GET",
        "/settings/outbound",
      );
      printSettings(current, options.json);
    });

  outbound
    .command("set [patterns...]")
    .description(
      "replace the list with PATTERNS, or change it with --add/--remove (e.g. set --add localhost:4566)",
    )
    .option("--add <patterns...>", "add patterns to the current list")
    .option("--remove <patterns...>", "remove patterns from the current list")
    .action(
      async (patterns: string[], o: { add?: string[]; remove?: string[] }, command: Command) => {
        const options = globalOptions(command);
        const client = createApiClient(options);
        if (patterns.length === 0 && o.add === undefined && o.remove === undefined)
          throw new CliError(
            "give the new list (set '*.amazonaws.com' 127.0.0.1:5000) or --add/--remove patterns",
          );
        // A read-modify-write: the API replaces the whole list, so --add/--remove start from it.
        let allow =
          patterns.length > 0
            ? patterns
            : (await client.request<OutboundSettings>("GET", "/settings/outbound")).allow;
        const removed = new Set((o.remove ?? []).map((p) => p.toLowerCase()));
        allow = allow.filter((p) => !removed.has(p.toLowerCase()));
        for (const pattern of o.add ?? []) if (!allow.includes(pattern)) allow.push(pattern);
        const saved = await client.request<OutboundSettings>("PUT", "/settings/outbound", {
          allow,
        });
        printSettings(saved, options.json);
      },
    );
}
