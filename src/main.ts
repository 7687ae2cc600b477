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
import { loadAccessPolicies, startRunOwner, type RunOwner } from "./actions/index.js";
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
export async function startServer(config: Config): Promise<RunningServer> {
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
  let owner: RunOwner | undefined;
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
    // This process owns the runs it starts; runs a stopped server left running are interrupted.
    owner = await startRunOwner(database.db, systemClock, logger);
    const runOwner = owner;
    const app = await buildApp({ ...deps, trustProxy: config.trustProxy, runOwner: owner.id });
    const address = await app.listen({ port: config.port, host: config.host });
    logger.info(
      { address, database: config.database.dialect },
      `switchboard listening on ${address}`,
    );
    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= (async () => {
        await app.close();
        await runOwner.stop();
        deps.outbound.close();
        await database.destroy();
      })();
      return closing;
    };
    return { app, database, url: address, close };
  } catch (error) {
    await owner?.stop();
    await database.destroy();
    throw error;
  }
}
