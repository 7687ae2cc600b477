import type { Command } from "commander";
import type { SecretMetadata } from "../../keystore/index.js";
import { createApiClient } from "../api-client.js";
import { fetchAll } from "../fetch-all.js";
import { globalOptions } from "../global-options.js";
import { printJson, printRows } from "../output.js";
import { readSecret } from "../read-secret.js";

const COLUMNS = [
  { header: "path", value: (s: SecretMetadata) => s.path },
  { header: "type", value: (s: SecretMetadata) => s.type },
  { header: "updated", value: (s: SecretMetadata) => s.updatedAt },
  { header: "by", value: (s: SecretMetadata) => s.updatedBy },
  { header: "last used", value: (s: SecretMetadata) => s.lastUsedAt },
  { header: "http hosts", value: (s: SecretMetadata) => s.allowedHosts?.join(",") ?? null },
];

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function registerSecrets(program: Command): void {
  const secret = program.command("secret").description("the key store: write-only secrets");

  secret
    .command("set <path>")
    .description("store a secret; the value is read from stdin or a prompt, never from an argument")
    .option("--type <type>", "password or key-pair", "password")
    .option("--replace", "replace the value of an existing secret")
    .option(
      "--allow-host <pattern>",
      "a host an http step may send the value to (repeatable; allow-list syntax: api.example.com, *.example.com, 10.0.0.5:8443); without any, no http step may send it",
      collect,
    )
    .action(
      async (
        path: string,
        o: { type: string; replace?: boolean; allowHost?: string[] },
        command: Command,
      ) => {
        const options = globalOptions(command);
        const api = createApiClient(options);
        const value = await readSecret(`value for ${path}: `);
        const stored = await api.request<SecretMetadata>("POST", "/secrets", {
          path,
          type: o.type,
          value,
          replace: o.replace === true,
          ...(o.allowHost === undefined ? {} : { allowedHosts: o.allowHost }),
        });
        if (options.json) return printJson(stored);
        const hosts =
          stored.allowedHosts === null
            ? "no http step may send it"
            : `http steps may send it to ${stored.allowedHosts.join(", ")}`;
        process.stdout.write(`stored ${stored.path} (${stored.type}); ${hosts}\n`);
      },
    );

  secret
    .command("list")
    .description("list secret metadata (values are never shown)")
    .option("--prefix <prefix>", "only paths starting with this, e.g. keys/project/ops/")
    .action(async (o: { prefix?: string }, command: Command) => {
      const options = globalOptions(command);
      const query = o.prefix === undefined ? "" : `?prefix=${encodeURIComponent(o.prefix)}`;
      printRows(
        await fetchAll<SecretMetadata>(createApiClient(options), `/secrets${query}`),
        COLUMNS,
        options.json,
      );
    });

  secret
    .command("rm <path>")
    .description("delete a secret")
    .action(async (path: string, _o: unknown, command: Command) => {
      await createApiClient(globalOptions(command)).request(
        "DELETE",
        `/secrets/${path.split("/").map(encodeURIComponent).join("/")}`,
      );
      process.stdout.write(`deleted ${path}\n`);
    });
}
