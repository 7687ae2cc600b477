import type { Command } from "commander";
import type { ApiToken } from "../../access/index.js";
import { createApiClient } from "../api-client.js";
import { fetchAll } from "../fetch-all.js";
import { globalOptions } from "../global-options.js";
import { printJson, printRows } from "../output.js";

const COLUMNS = [
  { header: "id", value: (t: ApiToken) => t.id },
  { header: "name", value: (t: ApiToken) => t.name },
  { header: "user", value: (t: ApiToken) => t.user },
  { header: "prefix", value: (t: ApiToken) => `${t.prefix}…` },
  { header: "expires", value: (t: ApiToken) => t.expiresAt ?? "never" },
  { header: "last used", value: (t: ApiToken) => t.lastUsedAt },
  { header: "revoked", value: (t: ApiToken) => t.revokedAt },
];

export function registerTokens(program: Command): void {
  const tokens = program.command("tokens").description("API tokens");

  tokens
    .command("list")
    .description("list your API tokens")
    .option("--all", "every token in the org (admins)")
    .action(async (o: { all?: boolean }, command: Command) => {
      const options = globalOptions(command);
      const rows = await fetchAll<ApiToken>(
        createApiClient(options),
        `/tokens${o.all === true ? "?all=true" : ""}`,
      );
      printRows(rows, COLUMNS, options.json);
    });

  tokens
    .command("create <name>")
    .description("create an API token; the token is printed once")
    .option(
      "--expires-in-days <days>",
      "days until it expires (no later than the token you use), or 'never' (only if that token never expires)",
      "90",
    )
    .action(async (name: string, o: { expiresInDays: string }, command: Command) => {
      const options = globalOptions(command);
      const expiresInDays = o.expiresInDays === "never" ? null : Number(o.expiresInDays);
      const created = await createApiClient(options).request<{ token: ApiToken; secret: string }>(
        "POST",
        "/tokens",
        {
          name,
          expiresInDays,
        },
      );
      if (options.json) return printJson(created);
      process.stdout.write(`${created.secret}\n`);
      process.stderr.write(`token ${created.token.id} created; it is shown only this once\n`);
    });

  tokens
    .command("revoke <id>")
    .description("revoke an API token")
    .action(async (id: string, _o: unknown, command: Command) => {
      await createApiClient(globalOptions(command)).request(
        "DELETE",
        `/tokens/${encodeURIComponent(id)}`,
      );
      process.stdout.write(`revoked token ${id}\n`);
    });
}
