/**
 * `npm run demo`: the AWS emulator with the demo world, and a Switchboard server on a fresh
 * embedded database with one connection of each method pointing at it, a team with grants,
 * and a sign-in — the whole product in a minute without an AWS account.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { startEmulator, type WorldInput } from "../emulator/index.js";
import { loadConfig } from "../src/config.js";
import { startServer } from "../src/main.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const WORLD = path.join(ROOT, "emulator/worlds/demo.yaml");

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function main(): Promise<void> {
  const requested = Number(process.env.PORT ?? "8080");
  const port = requested === 0 ? await freePort() : requested;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-demo-"));
  const token = `sb_demo_${randomBytes(18).toString("base64url")}`;
  const password = `demo-${randomBytes(9).toString("base64url")}`;
  const issuer = `http://localhost:${port}`;

  // The demo's server is the emulator's EC2 instance: its own (ambient) identity comes from IMDSv2 there.
  for (const key of [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
  ])
    delete process.env[key];
  process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(dataDir, "no-aws-credentials");
  process.env.AWS_CONFIG_FILE = path.join(dataDir, "no-aws-config");

  const server = await startServer(
    loadConfig({
      ...process.env,
      PORT: String(port),
      HOST: process.env.HOST ?? "127.0.0.1",
      SWITCHBOARD_DATA_DIR: dataDir,
      SWITCHBOARD_DEV: "1",
      SWITCHBOARD_PUBLIC_URL: issuer,
      SWITCHBOARD_BOOTSTRAP_TOKEN: token,
      LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
      DATABASE_URL: `sqlite:${path.join(dataDir, "switchboard.db")}`,
    }),
  );
  const api = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${issuer}/api/v1${route}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text}`);
    return (text === "" ? null : JSON.parse(text)) as T;
  };

  // The world names a fixed ExternalId and OIDC issuer: make them this server's.
  const { externalId } = await api<{ externalId: string }>("GET", "/settings/external-id");
  const worldText = fs
    .readFileSync(WORLD, "utf8")
    .replaceAll("https://switchboard.demo.example", issuer)
    .replaceAll("switchboard.demo.example", `localhost:${port}`)
    .replaceAll("demo/app-id/", "default/app-id/")
    .replaceAll("sb-demo-external-id", externalId)
    .replaceAll("switchboard:connection/production", "switchboard:connection/production-web");
  const emulator = await startEmulator({
    world: parse(worldText) as WorldInput,
    port: Number(process.env.EMULATOR_PORT ?? "0"),
    host: "127.0.0.1",
  });
  process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = emulator.url;

  await api("PUT", "/settings/outbound", {
    allow: ["*.amazonaws.com", `127.0.0.1:${emulator.port}`],
  });
  await api("PATCH", "/users/admin", { password });
  await api("POST", "/users", {
    name: "alice",
    displayName: "Alice (SRE)",
    password: `${password}-alice`,
  });
  await api("POST", "/teams", { name: "sre", members: ["alice"] });
  await api("POST", "/secrets", {
    path: "keys/system/demo/management-switchboard",
    value: "management-switchboard-secret-000000000",
  });

  const common = {
    endpoint: emulator.url,
    regions: ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"],
  };
  const connections = [
    { name: "management", method: "ambient", tags: { env: "management" } },
    {
      name: "management-keys",
      method: "access_key",
      accessKeyId: "AKIAMANAGEMENTSWITCH1",
      secretPath: "keys/system/demo/management-switchboard",
      tags: { env: "management" },
    },
    {
      name: "production",
      method: "assume_role",
      roleArn: "arn:aws:iam::222222222222:role/switchboard-read",
      tags: { env: "prod" },
    },
    {
      name: "production-web",
      method: "web_identity",
      roleArn: "arn:aws:iam::222222222222:role/switchboard-web-identity",
      access: "view",
      tags: { env: "prod" },
    },
    {
      name: "staging",
      method: "assume_role",
      roleArn: "arn:aws:iam::333333333333:role/switchboard-read",
      tags: { env: "staging" },
    },
  ];
  const lines: string[] = [];
  for (const connection of connections) {
    await api("POST", "/connections", { ...common, ...connection });
    const test = await api<{
      ok: boolean;
      arn: string | null;
      error: { code: string; fix: string } | null;
    }>("POST", `/connections/${connection.name}/test`);
    lines.push(
      `  ${connection.name.padEnd(16)} ${connection.method.padEnd(13)} ${test.ok ? `ok  ${test.arn ?? ""}` : `failed: ${test.error?.code ?? ""} ${test.error?.fix ?? ""}`}`,
    );
  }
  for (const name of ["production", "staging"]) {
    await api("PUT", `/connections/${name}/grants`, [
      { principal: "team:sre", role: "executor" },
      { principal: "org", role: "viewer" },
    ]);
  }

  process.stdout.write(
    [
      "",
      `Switchboard demo is running at ${server.url.replace("127.0.0.1", "localhost")}`,
      `  sign in:    admin / ${password}   (alice / ${password}-alice is an SRE member)`,
      `  API token:  ${token}`,
      `  emulator:   ${emulator.url}  (the demo world: management, production and staging accounts)`,
      "",
      "Connections (one of each method), tested:",
      ...lines,
      "",
      "Try:",
      `  export SWITCHBOARD_URL=${issuer} SWITCHBOARD_TOKEN=${token}`,
      "  npx switchboard connection list",
      "  npx switchboard action run aws.ec2.describeInstances --all",
      `  npx switchboard action run aws.logs.runSavedQuery --connection production --region us-east-1 --input '{"name":"errors-by-path"}'`,
      "",
      "Press Ctrl+C to stop (the demo's data is in a temporary folder and is removed).",
      "demo ready",
      "",
    ].join("\n"),
  );

  const stop = () => {
    void (async () => {
      await server.close();
      await emulator.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    })();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
