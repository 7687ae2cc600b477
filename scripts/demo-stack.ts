/**
 * The demo stack: the AWS emulator with the demo world, and a Switchboard server on a fresh
 * embedded database with one connection of each method pointing at it, a team with grants,
 * and a sign-in. `npm run demo` prints it; the browser tests and the README screenshots use it.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { startEmulator, type Emulator, type WorldInput } from "../emulator/index.js";
import { loadConfig } from "../src/config.js";
import { startServer, type RunningServer } from "../src/main.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const DEMO_WORLD_FILE = path.join(ROOT, "emulator/worlds/demo.yaml");

/** The demo's assume_role connections and the roles they assume. */
const DEMO_ASSUMED_ROLES = {
  production: "arn:aws:iam::222222222222:role/switchboard-read",
  staging: "arn:aws:iam::333333333333:role/switchboard-read",
};

export const DEMO_REGIONS = [
  "us-east-1",
  "us-east-2",
  "us-west-2",
  "eu-west-1",
  "eu-central-1",
  "ap-southeast-2",
];

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

export interface DemoOptions {
  /** 0 (the default) for a free port. */
  port?: number;
  host?: string;
  emulatorPort?: number;
  logLevel?: string;
}

export interface DemoConnectionResult {
  name: string;
  method: string;
  ok: boolean;
  arn: string | null;
  error: { code: string; fix: string } | null;
}

export interface Demo {
  /** Where the server listens, http://localhost:PORT. */
  url: string;
  /** An admin API token. */
  token: string;
  admin: { name: "admin"; password: string };
  member: { name: "alice"; password: string };
  server: RunningServer;
  emulator: Emulator;
  connections: DemoConnectionResult[];
  /** Calls the API as the admin token; throws on an error status. */
  api<T>(method: string, route: string, body?: unknown): Promise<T>;
  close(): Promise<void>;
}

export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const requested = options.port ?? 0;
  const port = requested === 0 ? await freePort() : requested;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-demo-"));
  const token = `sb_demo_${randomBytes(18).toString("base64url")}`;
  const password = `demo-${randomBytes(9).toString("base64url")}`;
  const url = `http://localhost:${port}`;

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
      HOST: options.host ?? "127.0.0.1",
      SWITCHBOARD_DATA_DIR: dataDir,
      SWITCHBOARD_DEV: "1",
      SWITCHBOARD_PUBLIC_URL: url,
      SWITCHBOARD_BOOTSTRAP_TOKEN: token,
      LOG_LEVEL: options.logLevel ?? "warn",
      DATABASE_URL: `sqlite:${path.join(dataDir, "switchboard.db")}`,
    }),
  );
  const api = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${url}/api/v1${route}`, {
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

  // Each assume_role connection has its own ExternalId: draft them first, and have the world's
  // roles trust them, as roles set up from the drafts' setup documents would.
  const externalIds = new Map<string, string>();
  for (const [name, roleArn] of Object.entries(DEMO_ASSUMED_ROLES)) {
    const draft = await api<{ externalId: string }>("POST", "/connections/setup-documents", {
      name,
      method: "assume_role",
      roleArn,
    });
    externalIds.set(roleArn, draft.externalId);
  }
  // The world names a fixed OIDC issuer: make it this server's.
  const worldText = fs
    .readFileSync(DEMO_WORLD_FILE, "utf8")
    .replaceAll("https://switchboard.demo.example", url)
    .replaceAll("switchboard.demo.example", `localhost:${port}`)
    .replaceAll("demo/app-id/", "default/app-id/")
    .replaceAll("switchboard:connection/production", "switchboard:connection/production-web");
  const world = parse(worldText) as WorldInput;
  for (const account of world.accounts) {
    for (const role of account.roles ?? []) {
      const externalId = externalIds.get(`arn:aws:iam::${account.id}:role/${role.name}`);
      if (externalId === undefined) continue;
      role.trust = JSON.parse(
        JSON.stringify(role.trust).replaceAll("sb-demo-external-id", externalId),
      ) as typeof role.trust;
    }
  }
  const emulator = await startEmulator({
    world,
    port: options.emulatorPort ?? 0,
    host: "127.0.0.1",
  });
  process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = emulator.url;
  const close = async () => {
    await server.close();
    await emulator.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };

  try {
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

    const common = { endpoint: emulator.url, regions: DEMO_REGIONS };
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
        roleArn: DEMO_ASSUMED_ROLES.production,
        externalId: externalIds.get(DEMO_ASSUMED_ROLES.production),
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
        roleArn: DEMO_ASSUMED_ROLES.staging,
        externalId: externalIds.get(DEMO_ASSUMED_ROLES.staging),
        tags: { env: "staging" },
      },
    ];
    const results: DemoConnectionResult[] = [];
    for (const connection of connections) {
      await api("POST", "/connections", { ...common, ...connection });
      const test = await api<Omit<DemoConnectionResult, "name" | "method">>(
        "POST",
        `/connections/${connection.name}/test`,
      );
      results.push({ name: connection.name, method: connection.method, ...test });
    }
    for (const name of ["production", "staging"]) {
      await api("PUT", `/connections/${name}/grants`, [
        { principal: "team:sre", role: "executor" },
        { principal: "org", role: "viewer" },
      ]);
    }
    return {
      url,
      token,
      admin: { name: "admin", password },
      member: { name: "alice", password: `${password}-alice` },
      server,
      emulator,
      connections: results,
      api,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
