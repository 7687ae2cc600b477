import type { Command } from "commander";
import type { Project } from "../../projects/index.js";
import { createApiClient } from "../api-client.js";
import { globalOptions } from "../global-options.js";
import { printJson, printRows } from "../output.js";

const COLUMNS = [
  { header: "name", value: (p: Project) => p.name },
  { header: "members", value: (p: Project) => p.members.join(", ") },
  { header: "created", value: (p: Project) => p.createdAt },
];

export function registerProjects(program: Command): void {
  const projects = program
    .command("projects")
    .description("folders of workflows and project-scoped secrets");

  projects
    .command("list")
    .description("list the projects you can see")
    .action(async (_o: unknown, command: Command) => {
      const options = globalOptions(command);
      const { items } = await createApiClient(options).request<{ items: Project[] }>(
        "GET",
        "/projects",
      );
      printRows(items, COLUMNS, options.json);
    });

  projects
    .command("create <name> [members...]")
    .description("create a project; members are user:<name> or team:<name>")
    .action(async (name: string, members: string[], _o: unknown, command: Command) => {
      const options = globalOptions(command);
      const project = await createApiClient(options).request<Project>("POST", "/projects", {
        name,
        members,
      });
      if (options.json) return printJson(project);
      printRows([project], COLUMNS, false);
    });

  projects
    .command("edit <name>")
    .description("rename a project (its secrets' paths follow) or replace its members")
    .option("--rename <new-name>", "the new name")
    .option(
      "--members <list>",
      "comma-separated user:<name>/team:<name> list replacing the members",
    )
    .action(async (name: string, o: { rename?: string; members?: string }, command: Command) => {
      const options = globalOptions(command);
      const body = {
        ...(o.rename === undefined ? {} : { name: o.rename }),
        ...(o.members === undefined
          ? {}
          : {
              members: o.members
                .split(",")
                .map((m) => m.trim())
                .filter((m) => m !== ""),
            }),
      };
      const project = await createApiClient(options).request<Project>(
        "PATCH",
        `/projects/${encodeURIComponent(name)}`,
        body,
      );
      if (options.json) return printJson(project);
      printRows([project], COLUMNS, false);
    });

  projects
    .command("rm <name>")
    .description("delete a project that holds no secrets")
    .action(async (name: string, _o: unknown, command: Command) => {
      await createApiClient(globalOptions(command)).request(
        "DELETE",
        `/projects/${encodeURIComponent(name)}`,
      );
      process.stdout.write(`deleted project ${name}\n`);
    });
}
