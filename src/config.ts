import { isIP } from "node:net";
import ipaddr from "ipaddr.js";
import path from "node:path";
import { z } from "zod";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const flag = z
  .enum(["0", "1", "true", "false"], { error: "expected 1, 0, true or false" })
  .transform((v) => v === "1" || v === "true");

/** Each environment variable, what it expects, and its default. The README lists the same. */
const envSchema = z.object({
  PORT: z.coerce
    .number({ error: "expected a port number" })
    .int("expected a whole port number")
    .min(0, "expected a port from 0 to 65535")
    .max(65535, "expected a port from 0 to 65535")
    .default(8080),
  HOST: z.string().min(1, "expected a host name or address").default("0.0.0.0"),
  SWITCHBOARD_DATA_DIR: z.string().min(1, "expected a directory path").default("./data"),
  DATABASE_URL: z
    .string()
    .regex(/^(postgres|postgresql|sqlite):/, "expected postgres://… or sqlite:PATH")
    .optional(),
  SWITCHBOARD_PUBLIC_URL: z
    .url({ error: "expected an absolute URL such as https://sb.example.com" })
    .optional(),
  SWITCHBOARD_DEV: flag.default(false),
  SWITCHBOARD_BOOTSTRAP_TOKEN: z
    .string()
    .regex(/^sb_[A-Za-z0-9_-]{4,200}$/, "expected sb_ followed by 4 to 200 letters, digits, _ or -")
    .optional(),
  SWITCHBOARD_SESSION_HOURS: z.coerce
    .number({ error: "expected a number of hours" })
    .positive("expected a positive number of hours")
    .max(24 * 30, "expected at most 720 hours")
    .default(12),
  SWITCHBOARD_OIDC_ISSUER: z
    .url({ error: "expected an absolute https URL where the OIDC documents are published" })
    .optional(),
  SWITCHBOARD_MASTER_KEY: z.string().min(1).optional(),
  SWITCHBOARD_MASTER_KEY_PREVIOUS: z.string().min(1).optional(),
  SWITCHBOARD_TRUST_PROXY: z.string().optional(),
  SWITCHBOARD_RUN_RETENTION_DAYS: z.coerce
    .number()
    .int("expected a whole number of days")
    .min(1, "expected at least 1 day")
    .max(3650)
    .default(90),
  LOG_LEVEL: z
    .enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(", ")}` })
    .default("info"),
});

export type LogLevel = (typeof LOG_LEVELS)[number];

export type DatabaseConfig =
  { dialect: "sqlite"; file: string } | { dialect: "postgres"; url: string };

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  database: DatabaseConfig;
  publicUrl: string;
  /** The `iss` of web identity tokens: the public URL, or a static host the documents are published to. */
  oidcIssuer: string;
  dev: boolean;
  masterKey: string | undefined;
  previousMasterKey: string | undefined;
  bootstrapToken: string | undefined;
  sessionMaxAgeSeconds: number;
  /** Reverse proxies whose X-Forwarded-For is believed (addresses, CIDRs, or proxy-addr's names); empty: none. */
  trustProxy: string[];
  /** Days a finished run is kept before it is pruned. */
  runRetentionDays: number;
  logLevel: LogLevel;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Where the key store's master key comes from. */
export function keyringSources(config: Config) {
  return {
    envKey: config.masterKey,
    envPreviousKey: config.previousMasterKey,
    dataDir: config.dataDir,
  };
}

const PROXY_NAMES = new Set(["loopback", "linklocal", "uniquelocal"]);

/**
 * SWITCHBOARD_TRUST_PROXY as Fastify's `trustProxy` takes a list: addresses, CIDRs and the names
 * loopback, linklocal and uniquelocal, separated by commas. Trusting every hop (true, *) is
 * refused: any client could then choose the address the sign-in limits count.
 */
function parseTrustProxy(value: string | undefined): string[] {
  const entries = (value ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  for (const entry of entries) {
    const [address = "", prefix, extra] = entry.split("/");
    const family = isIP(address);
    const valid =
      extra === undefined &&
      (prefix === undefined
        ? family !== 0 || PROXY_NAMES.has(entry)
        : family !== 0 && /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
    if (valid && prefix !== undefined && coversClients(address, Number(prefix))) {
      throw new ConfigError(
        `invalid configuration: SWITCHBOARD_TRUST_PROXY: ${JSON.stringify(entry)} is so wide it takes in clients, not only proxies (any client could then choose the address the sign-in limits count): list your reverse proxies' addresses or their subnet`,
      );
    }
    if (!valid) {
      throw new ConfigError(
        `invalid configuration: SWITCHBOARD_TRUST_PROXY: ${JSON.stringify(entry)} is not an address, a CIDR (10.0.0.0/8) or one of loopback, linklocal, uniquelocal; list your reverse proxies' addresses, separated by commas`,
      );
    }
  }
  return entries;
}

// Wider than a /8, or every IPv4-mapped address: such a "proxy" range is
// really "trust everyone" (0.0.0.0/0, ::/0, ::ffff:0.0.0.0/96) written as a CIDR.
function coversClients(address: string, prefix: number): boolean {
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv4") return prefix < 8;
  const allMapped = ipaddr.parse("::ffff:0.0.0.0");
  return prefix < 8 || (prefix <= 96 && allMapped.match(parsed, prefix));
}

/** Reads the environment once at start; a bad value names the variable and what it expects. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const messages = parsed.error.issues.map(
      (issue) => `${issue.path.join(".")}: ${issue.message}`,
    );
    throw new ConfigError(`invalid configuration: ${messages.join("; ")}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.SWITCHBOARD_DATA_DIR);
  let database: DatabaseConfig;
  if (e.DATABASE_URL === undefined) {
    database = { dialect: "sqlite", file: path.join(dataDir, "switchboard.db") };
  } else if (e.DATABASE_URL.startsWith("sqlite:")) {
    database = { dialect: "sqlite", file: path.resolve(e.DATABASE_URL.slice("sqlite:".length)) };
  } else {
    database = { dialect: "postgres", url: e.DATABASE_URL };
  }
  const publicUrl = (e.SWITCHBOARD_PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, "");
  // AWS fetches an OIDC issuer's documents over HTTPS only, and cookies must be Secure.
  if (
    e.SWITCHBOARD_PUBLIC_URL !== undefined &&
    !publicUrl.startsWith("https://") &&
    !e.SWITCHBOARD_DEV
  ) {
    throw new ConfigError(
      "invalid configuration: SWITCHBOARD_PUBLIC_URL: expected an https:// URL (AWS trusts OIDC issuers over HTTPS only); set SWITCHBOARD_DEV=1 to allow http in development",
    );
  }
  const oidcIssuer = (e.SWITCHBOARD_OIDC_ISSUER ?? publicUrl).replace(/\/+$/, "");
  if (
    e.SWITCHBOARD_OIDC_ISSUER !== undefined &&
    !oidcIssuer.startsWith("https://") &&
    !e.SWITCHBOARD_DEV
  ) {
    throw new ConfigError(
      "invalid configuration: SWITCHBOARD_OIDC_ISSUER: expected an https:// URL (AWS trusts OIDC issuers over HTTPS only); set SWITCHBOARD_DEV=1 to allow http in development",
    );
  }
  if (e.SWITCHBOARD_MASTER_KEY_PREVIOUS !== undefined && e.SWITCHBOARD_MASTER_KEY === undefined) {
    throw new ConfigError(
      "invalid configuration: SWITCHBOARD_MASTER_KEY_PREVIOUS: only used with SWITCHBOARD_MASTER_KEY, during a rotation",
    );
  }
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    database,
    publicUrl,
    oidcIssuer,
    dev: e.SWITCHBOARD_DEV,
    masterKey: e.SWITCHBOARD_MASTER_KEY,
    previousMasterKey: e.SWITCHBOARD_MASTER_KEY_PREVIOUS,
    bootstrapToken: e.SWITCHBOARD_BOOTSTRAP_TOKEN,
    sessionMaxAgeSeconds: Math.round(e.SWITCHBOARD_SESSION_HOURS * 3600),
    trustProxy: parseTrustProxy(e.SWITCHBOARD_TRUST_PROXY),
    runRetentionDays: e.SWITCHBOARD_RUN_RETENTION_DAYS,
    logLevel: e.LOG_LEVEL,
  };
}
