import fs from "node:fs";
import type { Command } from "commander";
import type {
  Deployment,
  MemberTemplate,
  Organization,
  OrganizationAccount,
  OrganizationTree,
  SyncStatus,
} from "../../organizations/index.js";
import { createApiClient, type ApiClient } from "../api-client.js";
import { CliError } from "../cli-error.js";
import { globalOptions } from "../global-options.js";
import { printJson, printRows } from "../output.js";

const POLL_MS = 1_000;

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function grantsOf(grants: string[] | undefined): { principal: string; role: string }[] {
  return (grants ?? []).map((g) => {
    const at = g.lastIndexOf("=");
    if (at < 1)
      throw new CliError(`--grant ${g}: expected principal=role, such as team:sre=executor`);
    return { principal: g.slice(0, at), role: g.slice(at + 1) };
  });
}

function status(account: OrganizationAccount): string {
  const l = account.ledger;
  if (account.membership === "left") return `left ${account.leftAt ?? ""}`.trim();
  if (l.suspended) return "suspended";
  if (account.state !== "ACTIVE") return account.state.toLowerCase();
  if (account.management) return "management account";
  if (!account.inScope) return "not onboarded";
  if (account.connection === null)
    return l.lastError === null ? "no connection yet" : `no connection: ${l.lastError.message}`;
  if (l.assumable === null) return "not tested yet";
  if (!l.assumable)
    return `unreachable: ${l.lastError?.code ?? ""} ${l.lastError?.fix ?? ""}`.trim();
  const blocked = l.blockedRegions.map((b) => `${b.region} (${b.reason})`).join(", ");
  return blocked === "" ? "ok" : `ok; blocked: ${blocked}`;
}

const ACCOUNT_COLUMNS = [
  { header: "ou", value: (a: OrganizationAccount) => a.ouPath },
  { header: "account", value: (a: OrganizationAccount) => a.accountId },
  { header: "name", value: (a: OrganizationAccount) => a.name },
  { header: "connection", value: (a: OrganizationAccount) => a.connection },
  { header: "stack instance", value: (a: OrganizationAccount) => a.stackInstance.status },
  { header: "status", value: status },
];

const ORGANIZATION_COLUMNS = [
  { header: "name", value: (o: Organization) => o.name },
  { header: "aws organization", value: (o: Organization) => o.awsOrganizationId },
  { header: "connection", value: (o: Organization) => o.connection },
  { header: "call as", value: (o: Organization) => o.callAs },
  {
    header: "onboarded",
    value: (o: Organization) => (o.onboarding === null ? "no" : o.onboarding.onboardedAt),
  },
  { header: "deployment", value: (o: Organization) => o.deployment?.status ?? "-" },
  {
    header: "last sync",
    value: (o: Organization) =>
      o.lastSync === null ? "never" : `${o.lastSync.status} ${o.lastSync.finishedAt ?? ""}`,
  },
];

interface OnboardFlags {
  ou?: string[];
  skip?: string[];
  roleName?: string;
  access?: string;
  region?: string[];
  method?: string;
  hub?: string;
  schedule?: string;
}

function onboardingBody(o: OnboardFlags): Record<string, unknown> {
  const body: Record<string, unknown> = {
    ous: o.ou ?? [],
    regions: o.region ?? [],
    method: o.method ?? (o.hub === undefined ? "web_identity" : "assume_role"),
  };
  if (o.skip !== undefined) body.skipAccounts = o.skip;
  if (o.roleName !== undefined) body.roleName = o.roleName;
  if (o.access !== undefined) body.access = o.access;
  if (o.hub !== undefined) body.hubConnection = o.hub;
  if (o.schedule !== undefined) body.reconcileSchedule = o.schedule;
  return body;
}

function withOnboardingFlags(command: Command): Command {
  return command
    .option(
      "--ou <id>",
      "an OU (ou-…) or the root (r-…) whose accounts to onboard (repeatable)",
      collect,
    )
    .option("--skip <account>", "an account not to onboard (repeatable)", collect)
    .option("--role-name <name>", "the member role's name (default switchboard-member)")
    .option("--access <level>", "view, read (default) or full")
    .option("--region <region>", "a region the member connections may run in (repeatable)", collect)
    .option("--method <method>", "assume_role (with --hub) or web_identity")
    .option("--hub <connection>", "assume_role: the connection that assumes every member role")
    .option(
      "--schedule <cron>",
      "the reconcile's schedule, cron in UTC (default every 15 minutes)",
    );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function show(api: ApiClient, name: string): Promise<OrganizationTree> {
  return api.request<OrganizationTree>("GET", `/organizations/${encodeURIComponent(name)}`);
}

function printTree(tree: OrganizationTree, json: boolean): void {
  if (json) return printJson(tree);
  const o = tree.organization;
  process.stdout.write(
    `${o.name}: AWS organization ${o.awsOrganizationId}, management account ${o.managementAccountId}, through ${o.connection ?? "(deleted connection)"} (${o.callAs})\n`,
  );
  if (o.deployment !== null)
    process.stdout.write(
      `StackSet ${o.deployment.stackSetName} in ${o.deployment.region}: ${o.deployment.status}${o.deployment.error === null ? "" : ` — ${o.deployment.error.message}. Fix: ${o.deployment.error.fix}`}\n`,
    );
  if (o.lastSync !== null)
    process.stdout.write(
      `last reconcile: ${o.lastSync.status} ${o.lastSync.finishedAt ?? o.lastSync.startedAt}${o.lastSync.error === null ? "" : ` — ${o.lastSync.error.message}. Fix: ${o.lastSync.error.fix}`}\n`,
    );
  printRows(tree.accounts, ACCOUNT_COLUMNS, false);
}

export function registerOrganizations(program: Command): void {
  const org = program
    .command("org")
    .description("AWS Organizations: onboard every account of an organization, keep them in step");

  withOnboardingFlags(
    org
      .command("add <name>")
      .description(
        "add an AWS Organization from a connection into its management account or a delegated administrator; with --ou, onboard those OUs' accounts too",
      )
      .requiredOption(
        "--connection <name>",
        "the management (or delegated administrator) connection",
      )
      .option(
        "--grant <principal=role>",
        "a grant every member connection gets (repeatable)",
        collect,
      ),
  ).action(
    async (
      name: string,
      o: OnboardFlags & { connection: string; grant?: string[] },
      command: Command,
    ) => {
      const options = globalOptions(command);
      const api = createApiClient(options);
      const created = await api.request<Organization>("POST", "/organizations", {
        name,
        connection: o.connection,
        grants: grantsOf(o.grant),
      });
      if (o.ou === undefined) {
        if (options.json) return printJson(created);
        process.stdout.write(
          `added ${name} (${created.awsOrganizationId}); onboard it with --ou\n`,
        );
        return;
      }
      const result = await api.request<{
        created: { accountId: string; connection: string }[];
        skipped: { accountId: string; reason: string }[];
        notes: string[];
      }>("POST", `/organizations/${encodeURIComponent(name)}/onboarding`, onboardingBody(o));
      if (options.json) return printJson(result);
      process.stdout.write(`added ${name}: ${result.created.length} member connections created\n`);
      for (const s of result.skipped) process.stdout.write(`skipped ${s.accountId}: ${s.reason}\n`);
      for (const note of result.notes) process.stdout.write(`note: ${note}\n`);
    },
  );

  withOnboardingFlags(
    org
      .command("onboard <name>")
      .description("onboard the accounts of OUs of an added organization"),
  ).action(async (name: string, o: OnboardFlags, command: Command) => {
    const options = globalOptions(command);
    const result = await createApiClient(options).request<{
      created: unknown[];
      skipped: { accountId: string; reason: string }[];
      notes: string[];
    }>("POST", `/organizations/${encodeURIComponent(name)}/onboarding`, onboardingBody(o));
    if (options.json) return printJson(result);
    process.stdout.write(`${result.created.length} member connections created\n`);
    for (const s of result.skipped) process.stdout.write(`skipped ${s.accountId}: ${s.reason}\n`);
    for (const note of result.notes) process.stdout.write(`note: ${note}\n`);
  });

  org
    .command("show [name]")
    .description(
      "an organization's accounts by OU with their status and health ledger (without a name: the list)",
    )
    .action(async (name: string | undefined, _o: unknown, command: Command) => {
      const options = globalOptions(command);
      const api = createApiClient(options);
      if (name === undefined) {
        const { items } = await api.request<{ items: Organization[] }>("GET", "/organizations");
        return printRows(items, ORGANIZATION_COLUMNS, options.json);
      }
      printTree(await show(api, name), options.json);
    });

  org
    .command("sync <name>")
    .description(
      "reconcile now: accounts that joined, left or were suspended; every member connection tested",
    )
    .option("--no-wait", "return once the reconcile is queued")
    .action(async (name: string, o: { wait: boolean }, command: Command) => {
      const options = globalOptions(command);
      const api = createApiClient(options);
      const asked = await api.request<{ queued: boolean; requestedAt: string }>(
        "POST",
        `/organizations/${encodeURIComponent(name)}/sync`,
      );
      if (!o.wait) {
        process.stdout.write(
          asked.queued ? "reconcile queued\n" : "a reconcile is already queued or running\n",
        );
        return;
      }
      let sync: SyncStatus | null = null;
      for (;;) {
        const tree = await show(api, name);
        sync = tree.organization.lastSync;
        const done =
          sync !== null &&
          sync.status !== "running" &&
          (sync.finishedAt ?? "") >= (asked.queued ? asked.requestedAt : sync.startedAt);
        if (done) {
          if (sync?.status === "failed")
            throw new CliError(
              `the reconcile failed: ${sync.error?.message ?? ""}. Fix: ${sync.error?.fix ?? ""}`,
            );
          return printTree(tree, options.json);
        }
        await sleep(POLL_MS);
      }
    });

  org
    .command("template <name>")
    .description("the member role's CloudFormation template (for a service-managed StackSet)")
    .option("--output <file>", "write the template to a file instead of printing it")
    .option("--region <region>", "the region of the console link")
    .action(async (name: string, o: { output?: string; region?: string }, command: Command) => {
      const options = globalOptions(command);
      const query = o.region === undefined ? "" : `?region=${encodeURIComponent(o.region)}`;
      const template = await createApiClient(options).request<MemberTemplate>(
        "GET",
        `/organizations/${encodeURIComponent(name)}/template${query}`,
      );
      if (options.json) return printJson(template);
      if (o.output !== undefined) fs.writeFileSync(o.output, `${template.body}\n`);
      else process.stdout.write(`${template.body}\n`);
      process.stderr.write(`console: ${template.consoleUrl}\n`);
      for (const note of template.notes) process.stderr.write(`note: ${note}\n`);
    });

  org
    .command("deploy <name>")
    .description(
      "deploy the member role by a service-managed StackSet to the onboarded OUs (needs a full management connection), and follow it",
    )
    .requiredOption("--region <region>", "the region of the StackSet and its stack instances")
    .option("--stack-set-name <name>", "default Switchboard-<name>")
    .option("--no-wait", "return once the deployment started")
    .action(
      async (
        name: string,
        o: { region: string; stackSetName?: string; wait: boolean },
        command: Command,
      ) => {
        const options = globalOptions(command);
        const api = createApiClient(options);
        const started = await api.request<Deployment>(
          "POST",
          `/organizations/${encodeURIComponent(name)}/deploy`,
          {
            region: o.region,
            ...(o.stackSetName === undefined ? {} : { stackSetName: o.stackSetName }),
          },
        );
        if (!o.wait) {
          if (options.json) return printJson(started);
          process.stdout.write(
            `deploying ${started.stackSetName} (operation ${started.operationId ?? "-"})\n`,
          );
          return;
        }
        for (;;) {
          const tree = await show(api, name);
          const deployment = tree.organization.deployment;
          if (deployment !== null && deployment.status !== "RUNNING") {
            printTree(tree, options.json);
            if (deployment.status !== "SUCCEEDED")
              throw new CliError(
                `the StackSet operation ended ${deployment.status}: ${deployment.error?.fix ?? ""}`,
              );
            return;
          }
          await sleep(POLL_MS);
        }
      },
    );
}
