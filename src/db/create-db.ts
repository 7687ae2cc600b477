import fs from "node:fs";
import path from "node:path";
import SqliteDatabase from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import type { DatabaseConfig } from "../config.js";
import type { Db } from "./database.js";

export type Dialect = DatabaseConfig["dialect"];

export interface DbHandle {
  db: Db;
  dialect: Dialect;
  destroy(): Promise<void>;
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
    const db: Db = new Kysely({ dialect: new SqliteDialect({ database: sqlite }) });
    return { db, dialect: "sqlite", destroy: () => db.destroy() };
  }
  const pool = new pg.Pool({ connectionString: config.url, max: 10 });
  const db: Db = new Kysely({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: "postgres", destroy: () => db.destroy() };
}
