import type { FastifyInstance } from "fastify";
import { bootstrap } from "./access/index.js";
import { systemClock } from "./clock.js";
import type { Config } from "./config.js";
import { createDb, migrateToLatest, type DbHandle } from "./db/index.js";
import { buildApp } from "./http/index.js";
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
  const database = createDb(config.database);
  try {
    const { applied } = await migrateToLatest(database.db);
    if (applied.length > 0) logger.info({ applied }, "database migrated");
    const deps = {
      db: database.db,
      clock: systemClock,
      publicUrl: config.publicUrl,
      sessionMaxAgeSeconds: config.sessionMaxAgeSeconds,
      logger,
      dev: config.dev,
      version: packageVersion(),
    };
    await bootstrap(deps, { bootstrapToken: config.bootstrapToken });
    const app = await buildApp(deps);
    const address = await app.listen({ port: config.port, host: config.host });
    logger.info(
      { address, database: config.database.dialect },
      `switchboard listening on ${address}`,
    );
    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= (async () => {
        await app.close();
        await database.destroy();
      })();
      return closing;
    };
    return { app, database, url: address, close };
  } catch (error) {
    await database.destroy();
    throw error;
  }
}
