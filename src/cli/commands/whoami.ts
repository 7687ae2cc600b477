import type { Command } from "commander";
import type { User } from "../../access/index.js";
import { createApiClient } from "../api-client.js";
import { printJson } from "../output.js";
import { globalOptions } from "../global-options.js";

export function registerWhoami(program: Command): void {
  program
    .command("whoami")
    .description("show who the saved credentials belong to")
    .action(async (_options: unknown, command: Command) => {
      const options = globalOptions(command);
      const api = createApiClient(options);
      const who = await api.request<{ user: User; org: string; via: string; teams: string[] }>(
        "GET",
        "/whoami",
      );
      if (options.json) return printJson(who);
      process.stdout.write(
        `${who.user.name} (${who.user.role}) in org ${who.org} at ${api.url}` +
          `${who.teams.length > 0 ? `; teams: ${who.teams.join(", ")}` : ""}\n`,
      );
    });
}
