import SqliteDatabase from "better-sqlite3";
import {
  Kysely,
  PostgresDialect,
  SqliteDialect,
  type SqliteDatabase as KyselySqlite,
} from "kysely";
import pg from "pg";
import type { DatabaseConfig } from "../config.js";
import type { Db } from "./database.js";
import { prepareSqliteFiles, type PermissionWarning } from "./private-files.js";

export type Dialect = DatabaseConfig["dialect"];

export interface DbHandle {
  db: Db;
  dialect: Dialect;
  destroy(): Promise<void>;
}

/** Prepared statements kept per SQLite database, by SQL text. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * The database as Kysely sees it, with prepared statements kept by SQL text (least recently used
 * out first). Kysely prepares every query it runs; for the small statements of a request, preparing
 * costs as much as running, and a request runs several. A statement still iterating (a streamed
 * query) is never handed out twice: a fresh one is prepared for that call.
 */
function withStatementCache(sqlite: SqliteDatabase.Database): KyselySqlite {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => {
      statements.clear();
      sqlite.close();
    },
    prepare: (sql: string) => {
      const cached = statements.get(sql);
      if (cached !== undefined) {
        if (cached.busy) return sqlite.prepare(sql);
        statements.delete(sql);
        statements.set(sql, cached);
        return cached;
      }
      const statement = sqlite.prepare(sql);
      statements.set(sql, statement);
      if (statements.size > STATEMENT_CACHE_SIZE) {
        const oldest = statements.keys().next().value;
        if (oldest !== undefined) statements.delete(oldest);
      }
      return statement;
    },
  };
}

/**
 * A PostgreSQL pool that reports, rather than throws, errors of idle connections (a restarted or
 * failed-over server), and whose `closed()` waits until every connection has said goodbye: the
 * pool's own `end()` resolves while its connections are still closing.
 */
function postgresPool(url: string, onError: (error: Error) => void) {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // Without a listener an idle connection's error is thrown and ends the process; the pool has
  // already dropped the connection, and the next query opens a fresh one.
  pool.on("error", onError);
  let open = 0;
  let drained: (() => void)[] = [];
  pool.on("connect", () => {
    open += 1;
  });
  pool.on("remove", () => {
    open -= 1;
    if (open === 0) {
      for (const resolve of drained) resolve();
      drained = [];
    }
  });
  const closed = () =>
    open === 0 ? Promise.resolve() : new Promise<void>((resolve) => drained.push(resolve));
  return { pool, closed };
}

/**
 * Opens the configured database: SQLite (WAL, foreign keys on) by default, or PostgreSQL. A
 * SQLite database and its -wal and -shm files are readable by their owner only (0600).
 */
const CONFIGS = new WeakMap<Db, DatabaseConfig>();

/** The configuration a database was opened with: the queue on it opens its own connections. */
export function databaseConfigOf(db: Db): DatabaseConfig {
  const config = CONFIGS.get(db);
  if (config === undefined) throw new Error("this database was not opened by createDb");
  return config;
}

export function createDb(
  config: DatabaseConfig,
  options: {
    onPoolError?: (error: Error) => void;
    /** Told when a database file was looser than 0600 (and tightened). */
    onLoosePermissions?: PermissionWarning;
  } = {},
): DbHandle {
  if (config.dialect === "sqlite") {
    prepareSqliteFiles(config.file, options.onLoosePermissions ?? (() => undefined));
    const sqlite = new SqliteDatabase(config.file);
    sqlite.pragma("journal_mode = WAL");
    // In WAL mode NORMAL keeps the database consistent after a crash and only risks the last
    // commits on power loss, while FULL would wait for the disk on every commit.
    sqlite.pragma("synchronous = NORMAL");
    sqlite.pragma("foreign_keys = ON");
    sqlite.pragma("busy_timeout = 5000");
    const db: Db = new Kysely({
      dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
    });
    CONFIGS.set(db, config);
    return { db, dialect: "sqlite", destroy: () => db.destroy() };
  }
  const { pool, closed } = postgresPool(config.url, options.onPoolError ?? (() => undefined));
  const db: Db = new Kysely({ dialect: new PostgresDialect({ pool }) });
  CONFIGS.set(db, config);
  return {
    db,
    dialect: "postgres",
    destroy: async () => {
      await db.destroy();
      await closed();
    },
  };
}
