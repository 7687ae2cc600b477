import type { FastifyInstance } from "fastify";
import { assembleDeps } from "./assemble-deps.js";
import { bootstrap } from "./access/index.js";
import { systemClock } from "./clock.js";
import { keyringSources, type Config } from "./config.js";
import {
  createDb,
  migrateToLatest,
  securePrivateDataDirectory,
  type DbHandle,
  type PermissionWarning,
} from "./db/index.js";
import { buildApp } from "./http/index.js";
import { loadAccessPolicies } from "./actions/index.js";
import { assembleEngine } from "./assemble-engine.js";
import type { Engine } from "./engine/index.js";
import { openKeystore } from "./keystore/index.js";
import { ensureSigningKey } from "./oidc/index.js";
import { createLogger } from "./logger.js";
import { packageVersion } from "./version.js";

export interface RunningServer {
  app: FastifyInstance;
  database: DbHandle;
  url: string;
  close(): Promise<void>;
}

/** The process entry: config → database → migrations → bootstrap → HTTP server. */
export async function startServer(
  config: Config,
  options: { workers: boolean } = { workers: true },
): Promise<RunningServer> {
  const logger = createLogger(config.logLevel);
  // The database and the master key are readable by this user only (0700 directory, 0600 files).
  const loosePermissions: PermissionWarning = (message, detail) => logger.warn(detail, message);
  securePrivateDataDirectory(config.dataDir, loosePermissions);
  const database = createDb(config.database, {
    onLoosePermissions: loosePermissions,
    // Not the error object itself: pg-pool hangs the connection on it, password included.
    onPoolError: (error) =>
      logger.warn(
        { code: (error as { code?: unknown }).code },
        `a database connection failed (${error.message}); the next query opens a new one`,
      ),
  });
  let engine: Engine | undefined;
  try {
    const { applied } = await migrateToLatest(database.db);
    if (applied.length > 0) logger.info({ applied }, "database migrated");
    const keystore = await openKeystore(database.db, systemClock, keyringSources(config));
    await ensureSigningKey(keystore);
    // Cut the access policies out of the managed-policy package now, not on the first request.
    await loadAccessPolicies();
    if (!config.oidcIssuer.startsWith("https://")) {
      logger.warn(
        `the OIDC issuer is ${config.oidcIssuer}: web identity connections need an https issuer AWS can reach (SWITCHBOARD_PUBLIC_URL or SWITCHBOARD_OIDC_ISSUER)`,
      );
    }
    const deps = assembleDeps({
      db: database.db,
      clock: systemClock,
      keystore,
      logger,
      publicUrl: config.publicUrl,
      oidcIssuer: config.oidcIssuer,
      sessionMaxAgeSeconds: config.sessionMaxAgeSeconds,
      dev: config.dev,
      version: packageVersion(),
    });
    await bootstrap(deps, { bootstrapToken: config.bootstrapToken });
    engine = await assembleEngine({
      db: database.db,
      database: config.database,
      clock: systemClock,
      keystore,
      credentials: deps.credentials,
      outbound: deps.outbound,
      logger,
    });
    const running = engine;
    // `serve` is a worker too: with SQLite the only one; with PostgreSQL one of any number.
    if (options.workers) await running.startWorkers({ retentionDays: config.runRetentionDays });
    const app = await buildApp({ ...deps, trustProxy: config.trustProxy, engine: running });
    const address = await app.listen({ port: config.port, host: config.host });
    logger.info(
      { address, database: config.database.dialect },
      `switchboard listening on ${address}`,
    );
    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= (async () => {
        await app.close();
        await running.stop();
        deps.outbound.close();
        await database.destroy();
      })();
      return closing;
    };
    return { app, database, url: address, close };
  } catch (error) {
    await engine?.stop();
    await database.destroy();
    throw error;
  }
}

export interface RunningWorker {
  close(): Promise<void>;
}

/**
 * A worker process (`switchboard worker`): no HTTP, only the engine's jobs. Any number of them
 * share the work with the API processes through PostgreSQL; on SQLite `serve` is the one worker.
 */
export async function startWorker(config: Config): Promise<RunningWorker> {
  const logger = createLogger(config.logLevel);
  if (config.database.dialect === "sqlite") {
    throw new Error(
      "switchboard worker needs PostgreSQL (DATABASE_URL=postgres://…): with SQLite, switchboard serve runs the only worker",
    );
  }
  const database = createDb(config.database, {
    onPoolError: (error) =>
      logger.warn(
        { code: (error as { code?: unknown }).code },
        `a database connection failed (${error.message})`,
      ),
  });
  try {
    await migrateToLatest(database.db);
    const keystore = await openKeystore(database.db, systemClock, keyringSources(config));
    await loadAccessPolicies();
    const deps = assembleDeps({
      db: database.db,
      clock: systemClock,
      keystore,
      logger,
      publicUrl: config.publicUrl,
      oidcIssuer: config.oidcIssuer,
      sessionMaxAgeSeconds: config.sessionMaxAgeSeconds,
      dev: config.dev,
      version: packageVersion(),
    });
    const engine = await assembleEngine({
      db: database.db,
      database: config.database,
      clock: systemClock,
      keystore,
      credentials: deps.credentials,
      outbound: deps.outbound,
      logger,
    });
    await engine.startWorkers({ retentionDays: config.runRetentionDays });
    logger.info({ database: config.database.dialect }, "switchboard worker started");
    return {
      close: async () => {
        await engine.stop();
        deps.outbound.close();
        await database.destroy();
      },
    };
  } catch (error) {
    await database.destroy();
    throw error;
  }
}
