import fs from "node:fs";
import path from "node:path";
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

export type Dialect = DatabaseConfig["dialect"];

export interface DbHandle {
  db: Db;
  dialect: Dialect;
  destroy(): Promise<void>;
}

/** Prepared statements kept per SQLite database, by SQL text. */
export const STATEMENT_CACHE_SIZE = 500;

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

/** Opens the configured database: SQLite (WAL, foreign keys on) by default, or PostgreSQL. */
export function createDb(config: DatabaseConfig): DbHandle {
  if (config.dialect === "sqlite") {
    fs.mkdirSync(path.dirname(config.file), { recursive: true, mode: 0o700 });
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
    return { db, dialect: "sqlite", destroy: () => db.destroy() };
  }
  const pool = new pg.Pool({ connectionString: config.url, max: 10 });
  const db: Db = new Kysely({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: "postgres", destroy: () => db.destroy() };
}
