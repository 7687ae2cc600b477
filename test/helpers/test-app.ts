import { Writable } from "node:stream";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { bootstrap } from "../../src/access/index.js";
import type { Clock } from "../../src/clock.js";
import type { Db } from "../../src/db/index.js";
import { buildApp, type AppDeps } from "../../src/http/index.js";
import { randomBytes } from "node:crypto";
import { openKeystore, type KeystoreDeps } from "../../src/keystore/index.js";
import { createLogger } from "../../src/logger.js";
import { ensureSigningKey } from "../../src/oidc/index.js";
import type { Outbound, SdkTimeouts } from "../../src/outbound/index.js";
import type { CredentialDeps } from "../../src/connections/index.js";
import { assembleDeps } from "../../src/assemble-deps.js";
import { assembleEngine } from "../../src/assemble-engine.js";
import { databaseConfigOf } from "../../src/db/index.js";
import type { Engine } from "../../src/engine/index.js";
import type { AwsCredentialIdentityProvider } from "@smithy/types";

export const ADMIN_TOKEN = "sb_admin_test_token";

export interface TestApp {
  app: FastifyInstance;
  keystore: KeystoreDeps;
  /** The app's outbound layer, on the same allow-lists the settings API changes. */
  outbound: Outbound;
  /** The app's credential layer (per-connection cache included). */
  credentials: CredentialDeps;
  /** The app's engine (its queue, and this process's workers unless `workers: false`). */
  engine: Engine;
  /** Every log line the app wrote, for tests that look for leaks. */
  logs: string[];
  call(
    method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
    url: string,
    options?: { token?: string | null; body?: unknown; headers?: Record<string, string> },
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

const masterKeys = new WeakMap<Db, string>();
function masterKeyOf(db: Db): string {
  const key = masterKeys.get(db) ?? randomBytes(32).toString("base64");
  masterKeys.set(db, key);
  return key;
}

/** Builds the real app on a test database, bootstrapped with an admin token. */
export async function createTestApp(
  db: Db,
  options: {
    clock?: Clock;
    dev?: boolean;
    masterKey?: string;
    oidcIssuer?: string;
    ambientProvider?: () => AwsCredentialIdentityProvider;
    /** AWS request timeouts (default: the outbound layer's). */
    sdkTimeouts?: SdkTimeouts;
    /** The built web UI to serve (default: none). */
    webDir?: string;
    /** false: the app starts runs but runs none (another worker does). */
    workers?: boolean;
    /** The lease of the engine's jobs (SQLite only below 10 s): for tests that wait for a dead worker's. */
    heartbeatSeconds?: number;
    /** App dependencies to use instead of the assembled ones (a counting password check, trustProxy …). */
    appDeps?: Partial<AppDeps>;
  } = {},
): Promise<TestApp> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(chunk.toString("utf8"));
      callback();
    },
  });
  const logger = createLogger("info", sink);
  const clock = options.clock ?? { now: () => new Date() };
  // One master key per database, so a second app on the same database reads its secrets.
  const masterKey = options.masterKey ?? masterKeyOf(db);
  const keystore = await openKeystore(db, clock, {
    envKey: masterKey,
    envPreviousKey: undefined,
    dataDir: "/nonexistent",
  });
  await ensureSigningKey(keystore);
  const deps = assembleDeps({
    db,
    clock,
    keystore,
    logger,
    publicUrl: "http://switchboard.test",
    oidcIssuer: options.oidcIssuer ?? "https://switchboard.test",
    sessionMaxAgeSeconds: 3600,
    dev: options.dev ?? false,
    version: "test",
    ...(options.ambientProvider === undefined ? {} : { ambientProvider: options.ambientProvider }),
    ...(options.sdkTimeouts === undefined ? {} : { sdkTimeouts: options.sdkTimeouts }),
  });
  await bootstrap(deps, { bootstrapToken: ADMIN_TOKEN });
  const engine =
    options.appDeps?.engine ??
    (await assembleEngine({
      db,
      database: databaseConfigOf(db),
      clock,
      keystore,
      credentials: deps.credentials,
      outbound: deps.outbound,
      logger,
      queueTuning: { pollSeconds: 0.5, schedulePollSeconds: 1 },
      ...(options.heartbeatSeconds === undefined
        ? {}
        : { heartbeatSeconds: options.heartbeatSeconds }),
    }));
  if (options.appDeps?.engine === undefined && options.workers !== false)
    await engine.startWorkers();
  const app = await buildApp({
    ...deps,
    engine,
    ...options.appDeps,
    webDir: options.webDir ?? null,
  });
  await app.ready();
  return {
    app,
    keystore,
    outbound: deps.outbound,
    credentials: deps.credentials,
    logs,
    call: (method, url, o = {}) => {
      const token = o.token === undefined ? ADMIN_TOKEN : o.token;
      return app.inject({
        method,
        url,
        headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...o.headers },
        ...(o.body === undefined ? {} : { payload: o.body as object }),
      });
    },
    engine,
    close: async () => {
      await app.close();
      if (options.appDeps?.engine === undefined) await engine.stop();
    },
  };
}
