import fs from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { createApiClient } from "../api-client.js";
import { CliError } from "../cli-error.js";
import { globalOptions } from "../global-options.js";
import { printJson } from "../output.js";

interface Issuer {
  issuer: string;
  discoveryUrl: string;
  jwksUrl: string;
  audience: string;
  subjectFormat: string;
  keys: { kid: string; createdAt: string; retiredAt: string | null; publishUntil: string | null }[];
}

async function fetchDocument(url: string): Promise<unknown> {
  const response = await fetch(url).catch((error: unknown) => {
    throw new CliError(
      `cannot fetch ${url}: ${error instanceof Error ? error.message : String(error)}`,
    );
  });
  if (!response.ok) throw new CliError(`cannot fetch ${url}: HTTP ${response.status}`);
  return response.json();
}

export function registerOidc(program: Command): void {
  const oidc = program
    .command("oidc")
    .description("Switchboard's OpenID Connect issuer (for web identity connections)");

  oidc
    .command("show")
    .description("the issuer URL, audience and subject to put in IAM, and the signing keys")
    .action(async (_o: unknown, command: Command) => {
      const options = globalOptions(command);
      const issuer = await createApiClient(options).request<Issuer>("GET", "/oidc");
      if (options.json) return printJson(issuer);
      process.stdout.write(
        [
          `issuer:    ${issuer.issuer}`,
          `jwks:      ${issuer.jwksUrl}`,
          `audience:  ${issuer.audience}`,
          `subject:   ${issuer.subjectFormat}`,
          ...issuer.keys.map(
            (k) =>
              `key ${k.kid}: ${k.retiredAt === null ? "current" : `retired, published until ${k.publishUntil ?? "?"}`}`,
          ),
        ].join("\n") + "\n",
      );
    });

  oidc
    .command("rotate")
    .description(
      "make a new signing key current; the old one stays published until its tokens expire",
    )
    .action(async (_o: unknown, command: Command) => {
      const options = globalOptions(command);
      const key = await createApiClient(options).request<{ kid: string }>("POST", "/oidc/rotate");
      if (options.json) return printJson(key);
      process.stdout.write(`new signing key ${key.kid} is current\n`);
    });

  oidc
    .command("publish")
    .description(
      "write the discovery document and JWKS as static files, for hosting on S3 or any static site",
    )
    .requiredOption("--out <dir>", "directory to write .well-known/ into")
    .action(async (o: { out: string }, command: Command) => {
      const options = globalOptions(command);
      const issuer = await createApiClient(options).request<Issuer>("GET", "/oidc");
      const base = `${createApiClient(options).url}`;
      const discovery = await fetchDocument(`${base}/.well-known/openid-configuration`);
      const jwks = await fetchDocument(`${base}/.well-known/jwks.json`);
      const dir = path.join(o.out, ".well-known");
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(
        path.join(dir, "openid-configuration"),
        `${JSON.stringify(discovery, null, 2)}\n`,
      );
      fs.writeFileSync(path.join(dir, "jwks.json"), `${JSON.stringify(jwks, null, 2)}\n`);
      process.stdout.write(
        `wrote ${dir}/openid-configuration and ${dir}/jwks.json for issuer ${issuer.issuer}; upload both so they answer at ${issuer.discoveryUrl} and ${issuer.jwksUrl} (content type application/json), and publish again after every rotation\n`,
      );
    });
}
