import fs from "node:fs";
import type { Command } from "commander";
import type { Connection, ConnectionTest, Grant } from "../../connections/index.js";
import { createApiClient } from "../api-client.js";
import { CliError } from "../cli-error.js";
import { globalOptions } from "../global-options.js";
import { printJson, printRows } from "../output.js";

const COLUMNS = [
  { header: "name", value: (c: Connection) => c.name },
  { header: "method", value: (c: Connection) => c.method },
  { header: "account", value: (c: Connection) => c.accountId },
  { header: "access", value: (c: Connection) => c.access },
  {
    header: "regions",
    value: (c: Connection) =>
      c.regions.length > 3 ? `${c.regions.length} regions` : c.regions.join(","),
  },
  {
    header: "tags",
    value: (c: Connection) =>
      Object.entries(c.tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(","),
  },
  {
    header: "last test",
    value: (c: Connection) =>
      c.lastTest === null
        ? "never"
        : `${c.lastTest.ok ? "ok" : `failed: ${c.lastTest.error?.code ?? ""}`} ${c.lastTest.checkedAt}`,
  },
];

interface ConnectionFlags {
  method?: string;
  roleArn?: string;
  accessKeyId?: string;
  secretPath?: string;
  source?: string;
  duration?: string;
  policyArn?: string[];
  access?: string;
  region?: string[];
  endpoint?: string;
  tag?: string[];
  project?: string;
  rename?: string;
  confirmRename?: boolean;
  confirmSubjectReuse?: boolean;
  externalId?: string;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function tagsOf(tags: string[] | undefined): Record<string, string> | undefined {
  if (tags === undefined) return undefined;
  return Object.fromEntries(
    tags.map((t) => {
      const at = t.indexOf("=");
      if (at < 1) throw new CliError(`--tag ${t}: expected key=value`);
      return [t.slice(0, at), t.slice(at + 1)];
    }),
  );
}

/** Only the flags given become fields, so `edit` changes just what was asked. */
function bodyOf(o: ConnectionFlags): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const set = (key: string, value: unknown) => {
    if (value !== undefined) body[key] = value;
  };
  set("method", o.method);
  set("roleArn", o.roleArn);
  set("accessKeyId", o.accessKeyId);
  set("secretPath", o.secretPath);
  set("sourceConnection", o.source);
  set("sessionDurationSeconds", o.duration === undefined ? undefined : Number(o.duration));
  set("policyArns", o.policyArn);
  set("access", o.access);
  set("regions", o.region);
  set("endpoint", o.endpoint);
  set("tags", tagsOf(o.tag));
  set("project", o.project);
  set("externalId", o.externalId);
  set("confirmSubjectReuse", o.confirmSubjectReuse);
  return body;
}

function withSettingFlags(command: Command): Command {
  return command
    .option("--role-arn <arn>", "assume_role / web_identity: the role to assume")
    .option("--access-key-id <id>", "access_key: the access key id")
    .option("--secret-path <path>", "access_key: key store path of the secret access key")
    .option(
      "--source <connection>",
      "assume_role: the connection whose credentials assume the role (you need executor on it; without one, the server's own identity: admins only)",
    )
    .option("--duration <seconds>", "session duration in seconds (900 to 43200)")
    .option("--policy-arn <arn>", "extra session policy ARN (repeatable)", collect)
    .option("--access <level>", "view, read or full")
    .option("--region <region>", "a region it may run in (repeatable)", collect)
    .option("--endpoint <url>", "base URL for every AWS call (LocalStack, VPC endpoints)")
    .option("--tag <key=value>", "a tag (repeatable)", collect)
    .option(
      "--confirm-subject-reuse",
      "web_identity, org admins: take the token subject of a deleted or renamed connection; every role that trusted it will trust this one",
    );
}

function printTest(result: ConnectionTest, json: boolean): void {
  if (json) return printJson(result);
  if (result.ok) {
    process.stdout.write(
      `ok: ${result.arn ?? "?"} in account ${result.accountId ?? "?"}; ${result.regions.length} regions\n`,
    );
    return;
  }
  throw new CliError(
    `${result.error?.code ?? "failed"}: ${result.error?.fix ?? ""} (AWS said: ${result.error?.message ?? ""})`,
  );
}

export function registerConnections(program: Command): void {
  const connection = program
    .command("connection")
    .description("AWS connections: how Switchboard gets credentials for an account");

  connection
    .command("list")
    .description("list the connections you can see")
    .action(async (_o: unknown, command: Command) => {
      const options = globalOptions(command);
      const { items } = await createApiClient(options).request<{ items: Connection[] }>(
        "GET",
        "/connections",
      );
      printRows(items, COLUMNS, options.json);
    });

  connection
    .command("show <name>")
    .description("show a connection, with what to put in AWS")
    .option("--trust-policy", "print the trust policy its role needs")
    .option("--setup", "print a CloudFormation template that creates its role")
    .action(
      async (name: string, o: { trustPolicy?: boolean; setup?: boolean }, command: Command) => {
        const options = globalOptions(command);
        const api = createApiClient(options);
        const path = `/connections/${encodeURIComponent(name)}`;
        if (o.trustPolicy === true)
          return printJson(
            (await api.request<{ policy: unknown }>("GET", `${path}/trust-policy`)).policy,
          );
        if (o.setup === true) return printJson(await api.request("GET", `${path}/setup`));
        const shown = await api.request<Connection>("GET", path);
        if (options.json) return printJson(shown);
        printRows([shown], COLUMNS, false);
        if (shown.roleArn !== undefined) process.stdout.write(`role: ${shown.roleArn}\n`);
        if (shown.externalId !== undefined)
          process.stdout.write(`external id: ${shown.externalId}\n`);
        if (shown.webIdentity !== undefined) {
          process.stdout.write(
            `oidc issuer: ${shown.webIdentity.issuer}\naudience: ${shown.webIdentity.audience}\nsubject: ${shown.webIdentity.subject}\n`,
          );
        }
      },
    );

  withSettingFlags(
    connection
      .command("draft <name>")
      .description(
        "before adding an assume_role or web_identity connection: the ExternalId it will get and the trust policy its role needs (--test: try it)",
      )
      .requiredOption("--method <method>", "assume_role or web_identity")
      .option("--external-id <id>", "the ExternalId an earlier draft printed, to keep it")
      .option("--test", "also test the draft against AWS"),
  ).action(async (name: string, o: ConnectionFlags & { test?: boolean }, command: Command) => {
    const options = globalOptions(command);
    const api = createApiClient(options);
    const body = { name, ...bodyOf(o) };
    const documents = await api.request<{ externalId?: string; trustPolicy: { policy: unknown } }>(
      "POST",
      "/connections/setup-documents",
      body,
    );
    const externalId = documents.externalId;
    const withId = externalId === undefined ? body : { ...body, externalId };
    const test =
      o.test === true
        ? await api.request<ConnectionTest>("POST", "/connections/test", withId)
        : undefined;
    if (options.json) return printJson({ ...documents, ...(test === undefined ? {} : { test }) });
    if (externalId !== undefined) process.stdout.write(`external id: ${externalId}\n`);
    process.stdout.write(
      `trust policy:\n${JSON.stringify(documents.trustPolicy.policy, null, 2)}\n`,
    );
    if (externalId !== undefined)
      process.stdout.write(
        `next: put this trust policy on the role, then switchboard connection add ${name} --method ${o.method ?? ""} --external-id ${externalId} … (the same flags)\n`,
      );
    if (test !== undefined) printTest(test, false);
  });

  withSettingFlags(
    connection
      .command("add <name>")
      .description("connect an AWS account")
      .requiredOption("--method <method>", "ambient, access_key, assume_role or web_identity")
      .option(
        "--external-id <id>",
        "assume_role: the ExternalId `switchboard connection draft` gave you (default: a new one)",
      )
      .option("--project <project>", "scope it to a project"),
  ).action(async (name: string, o: ConnectionFlags, command: Command) => {
    const options = globalOptions(command);
    const created = await createApiClient(options).request<Connection>("POST", "/connections", {
      name,
      ...bodyOf(o),
    });
    if (options.json) return printJson(created);
    process.stdout.write(
      `connection ${created.name} added (${created.method}, ${created.access})\n`,
    );
    if (created.externalId !== undefined)
      process.stdout.write(
        `the role's trust policy must require sts:ExternalId ${created.externalId}\n`,
      );
    process.stdout.write(`next: switchboard connection test ${created.name}\n`);
  });

  withSettingFlags(
    connection
      .command("edit <name>")
      .description("change a connection (only the flags given)")
      .option("--rename <new-name>", "a new name")
      .option(
        "--confirm-rename",
        "rename a web_identity connection (its trust policy's sub must change too)",
      ),
  ).action(async (name: string, o: ConnectionFlags, command: Command) => {
    const options = globalOptions(command);
    const body = bodyOf(o);
    if (o.rename !== undefined) body.name = o.rename;
    if (o.confirmRename === true) body.confirmRename = true;
    const updated = await createApiClient(options).request<Connection>(
      "PATCH",
      `/connections/${encodeURIComponent(name)}`,
      body,
    );
    if (options.json) return printJson(updated);
    printRows([updated], COLUMNS, false);
  });

  connection
    .command("remove <name>")
    .description("remove a connection")
    .action(async (name: string, _o: unknown, command: Command) => {
      await createApiClient(globalOptions(command)).request(
        "DELETE",
        `/connections/${encodeURIComponent(name)}`,
      );
      process.stdout.write(`removed connection ${name}\n`);
    });

  connection
    .command("test <name>")
    .description("get credentials, call sts:GetCallerIdentity and list regions")
    .action(async (name: string, _o: unknown, command: Command) => {
      const options = globalOptions(command);
      printTest(
        await createApiClient(options).request<ConnectionTest>(
          "POST",
          `/connections/${encodeURIComponent(name)}/test`,
        ),
        options.json,
      );
    });

  connection
    .command("rotate-external-id <name>")
    .description(
      "give an assume_role connection a new ExternalId (editors); its role's trust policy must then require it",
    )
    .action(async (name: string, _o: unknown, command: Command) => {
      const options = globalOptions(command);
      const rotated = await createApiClient(options).request<{
        externalId: string;
        warning: string;
      }>("POST", `/connections/${encodeURIComponent(name)}/external-id/rotate`);
      if (options.json) return printJson(rotated);
      process.stdout.write(`external id: ${rotated.externalId}\n`);
      process.stderr.write(`warning: ${rotated.warning}\n`);
      process.stdout.write(
        `next: switchboard connection show ${name} --trust-policy, and put it on the role\n`,
      );
    });

  connection
    .command("grants <name>")
    .description("show who may do what with a connection, or replace it with --set")
    .option("--set <file>", "a JSON file with [{principal, role}], or - for stdin")
    .action(async (name: string, o: { set?: string }, command: Command) => {
      const options = globalOptions(command);
      const api = createApiClient(options);
      const path = `/connections/${encodeURIComponent(name)}/grants`;
      const result =
        o.set === undefined
          ? await api.request<{ items: Grant[] }>("GET", path)
          : await api.request<{ items: Grant[] }>(
              "PUT",
              path,
              JSON.parse(fs.readFileSync(o.set === "-" ? 0 : o.set, "utf8")) as unknown,
            );
      printRows(
        result.items,
        [
          { header: "principal", value: (g: Grant) => g.principal },
          { header: "role", value: (g: Grant) => g.role },
        ],
        options.json,
      );
    });
}
