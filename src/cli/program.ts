import { Command } from "commander";
import { registerActions } from "./commands/actions.js";
import { registerConnections } from "./commands/connections.js";
import { registerInventory } from "./commands/inventory.js";
import { registerKeys } from "./commands/keys.js";
import { registerLogin } from "./commands/login.js";
import { registerMigrate } from "./commands/migrate.js";
import { registerOidc } from "./commands/oidc.js";
import { registerOrganizations } from "./commands/organizations.js";
import { registerProjects } from "./commands/projects.js";
import { registerRuns } from "./commands/runs.js";
import { registerSecrets } from "./commands/secrets.js";
import { registerServe } from "./commands/serve.js";
import { registerWorker } from "./commands/worker.js";
import { registerSettings } from "./commands/settings.js";
import { registerTeams } from "./commands/teams.js";
import { registerTokens } from "./commands/tokens.js";
import { registerUsers } from "./commands/users.js";
import { registerWhoami } from "./commands/whoami.js";
import { registerWorkflows } from "./commands/workflows.js";

export function buildProgram(version: string): Command {
  const program = new Command("switchboard")
    .description("Switchboard: a self-hosted automation hub for AWS")
    .version(version)
    .option("--url <url>", "server URL (or SWITCHBOARD_URL, or the saved profile)")
    .option("--token <token>", "API token (or SWITCHBOARD_TOKEN, or the saved profile)")
    .option("--json", "print JSON for scripts", false)
    .option("--debug", "print stack traces on errors", false)
    .showHelpAfterError()
    .exitOverride();
  registerServe(program);
  registerWorker(program);
  registerMigrate(program);
  registerLogin(program);
  registerWhoami(program);
  registerUsers(program);
  registerTeams(program);
  registerTokens(program);
  registerSettings(program);
  registerProjects(program);
  registerSecrets(program);
  registerKeys(program);
  registerOidc(program);
  registerConnections(program);
  registerOrganizations(program);
  registerActions(program);
  registerWorkflows(program);
  registerRuns(program);
  registerInventory(program);
  return program;
}
