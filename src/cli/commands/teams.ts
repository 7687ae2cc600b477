import type { Command } from "commander";
import type { Team } from "../../access/index.js";
import { createApiClient } from "../api-client.js";
import { fetchAll } from "../fetch-all.js";
import { globalOptions } from "../global-options.js";
import { printJson, printRows } from "../output.js";

const COLUMNS = [
  { header: "name", value: (t: Team) => t.name },
  { header: "members", value: (t: Team) => t.members.join(", ") },
  { header: "created", value: (t: Team) => t.createdAt },
];

export function registerTeams(program: Command): void {
  const teams = program.command("teams").description("named groups of users");

  teams
    .command("list")
    .description("list teams and their members")
    .action(async (_o: unknown, command: Command) => {
      const options = globalOptions(command);
      printRows(await fetchAll<Team>(createApiClient(options), "/teams"), COLUMNS, options.json);
    });

  teams
    .command("create <name> [members...]")
    .description("create a team, optionally with members")
    .action(async (name: string, members: string[], _o: unknown, command: Command) => {
      const options = globalOptions(command);
      const team = await createApiClient(options).request<Team>("POST", "/teams", {
        name,
        members,
      });
      if (options.json) return printJson(team);
      printRows([team], COLUMNS, false);
    });

  teams
    .command("rm <name>")
    .description("delete a team")
    .action(async (name: string, _o: unknown, command: Command) => {
      await createApiClient(globalOptions(command)).request(
        "DELETE",
        `/teams/${encodeURIComponent(name)}`,
      );
      process.stdout.write(`deleted team ${name}\n`);
    });

  for (const [verb, method] of [
    ["add-member", "PUT"],
    ["remove-member", "DELETE"],
  ] as const) {
    teams
      .command(`${verb} <team> <user>`)
      .description(`${verb === "add-member" ? "add a user to" : "remove a user from"} a team`)
      .action(async (team: string, user: string, _o: unknown, command: Command) => {
        const options = globalOptions(command);
        const path = `/teams/${encodeURIComponent(team)}/members/${encodeURIComponent(user)}`;
        const result = await createApiClient(options).request<Team>(method, path);
        if (options.json) return printJson(result);
        printRows([result], COLUMNS, false);
      });
  }
}
