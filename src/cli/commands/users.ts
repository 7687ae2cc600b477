import type { Command } from "commander";
import type { User } from "../../access/index.js";
import { createApiClient } from "../api-client.js";
import { globalOptions } from "../global-options.js";
import { printJson, printRows } from "../output.js";
import { readSecret } from "../read-secret.js";
import { fetchAll } from "../fetch-all.js";

const COLUMNS = [
  { header: "name", value: (u: User) => u.name },
  { header: "role", value: (u: User) => u.role },
  { header: "display name", value: (u: User) => u.displayName },
  { header: "password", value: (u: User) => (u.hasPassword ? "set" : "not set") },
  { header: "created", value: (u: User) => u.createdAt },
];

export function registerUsers(program: Command): void {
  const users = program.command("users").description("people in the org");

  users
    .command("list")
    .description("list users")
    .action(async (_o: unknown, command: Command) => {
      const options = globalOptions(command);
      const rows = await fetchAll<User>(createApiClient(options), "/users");
      printRows(rows, COLUMNS, options.json);
    });

  users
    .command("add <name>")
    .description("create a user; prints a one-time setup link unless --password-stdin is given")
    .option("--role <role>", "admin or member", "member")
    .option("--display-name <text>", "full name")
    .option("--password-stdin", "read the initial password from stdin")
    .action(
      async (
        name: string,
        o: { role: string; displayName?: string; passwordStdin?: boolean },
        command: Command,
      ) => {
        const options = globalOptions(command);
        const body = {
          name,
          role: o.role,
          ...(o.displayName === undefined ? {} : { displayName: o.displayName }),
          ...(o.passwordStdin === true ? { password: await readSecret("password: ") } : {}),
        };
        const created = await createApiClient(options).request<{
          user: User;
          setupUrl: string | null;
        }>("POST", "/users", body);
        if (options.json) return printJson(created);
        process.stdout.write(`created user ${created.user.name} (${created.user.role})\n`);
        if (created.setupUrl !== null) {
          process.stdout.write(
            `one-time link to set the password (valid 24 hours): ${created.setupUrl}\n`,
          );
        }
      },
    );

  users
    .command("edit <name>")
    .description("change a user's role, display name or password")
    .option("--role <role>", "admin or member")
    .option("--display-name <text>", "full name")
    .option("--password-stdin", "read a new password from stdin")
    .action(
      async (
        name: string,
        o: { role?: string; displayName?: string; passwordStdin?: boolean },
        command: Command,
      ) => {
        const options = globalOptions(command);
        const body = {
          ...(o.role === undefined ? {} : { role: o.role }),
          ...(o.displayName === undefined ? {} : { displayName: o.displayName }),
          ...(o.passwordStdin === true ? { password: await readSecret("new password: ") } : {}),
        };
        const user = await createApiClient(options).request<User>(
          "PATCH",
          `/users/${encodeURIComponent(name)}`,
          body,
        );
        if (options.json) return printJson(user);
        printRows([user], COLUMNS, false);
      },
    );

  users
    .command("rm <name>")
    .description("delete a user")
    .action(async (name: string, _o: unknown, command: Command) => {
      const options = globalOptions(command);
      await createApiClient(options).request("DELETE", `/users/${encodeURIComponent(name)}`);
      process.stdout.write(`deleted user ${name}\n`);
    });
}
