import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, inject } from "vitest";
import type { DatabaseConfig } from "../../src/config.js";
import { createDb, migrateToLatest, type DbHandle, type Dialect } from "../../src/db/index.js";

export const DIALECTS: Dialect[] = ["sqlite", "postgres"];

export interface TestDatabase {
  config: DatabaseConfig;
  /** For SQLite, the database file; for PostgreSQL, the database name. */
  location: string;
  dispose(): Promise<void>;
}

/**
 * A fresh database of the dialect: a temp SQLite file, or a new database in the run's PostgreSQL.
 * Empty, unless `migrated` asks, on PostgreSQL, for a copy of the database the run migrated at
 * its start (test/global-setup.ts), faster than migrating anew: the caller still runs
 * migrateToLatest, which then applies nothing or only what is newer.
 */
export async function createTestDatabase(
  dialect: Dialect,
  options: { migrated?: boolean } = {},
): Promise<TestDatabase> {
  if (dialect === "sqlite") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-test-"));
    const file = path.join(dir, "switchboard.db");
    return {
      config: { dialect, file },
      location: file,
      dispose: () => Promise.resolve(fs.rmSync(dir, { recursive: true, force: true })),
    };
  }
  const base = inject("postgresUrl");
  const name = `sb_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: `${base}/postgres` });
  await admin.connect();
  const template = options.migrated === true ? inject("postgresTemplate") : "";
  await admin.query(`CREATE DATABASE ${name}${template === "" ? "" : ` TEMPLATE ${template}`}`);
  await admin.end();
  return {
    config: { dialect, url: `${base}/${name}` },
    location: name,
    dispose: async () => {
      const client = new pg.Client({ connectionString: `${base}/postgres` });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export interface DatabaseSuite {
  dialect: Dialect;
  /** The migrated database of this suite's run; valid inside tests and hooks. */
  handle(): DbHandle;
  testDatabase(): TestDatabase;
}

/**
 * Runs one suite on every dialect, as Kysely runs its tests on every database:
 * `describeEachDatabase("users", (suite) => { it(...) })` shows as "users [sqlite]" and "users [postgres]".
 */
export function describeEachDatabase(name: string, body: (suite: DatabaseSuite) => void): void {
  for (const dialect of DIALECTS) {
    describe(`${name} [${dialect}]`, () => {
      let database: TestDatabase | undefined;
      let handle: DbHandle | undefined;
      beforeAll(async () => {
        database = await createTestDatabase(dialect, { migrated: true });
        handle = createDb(database.config);
        await migrateToLatest(handle.db);
      });
      afterAll(async () => {
        await handle?.destroy();
        await database?.dispose();
      });
      body({
        dialect,
        handle: () => {
          if (handle === undefined) throw new Error("the database is not ready yet");
          return handle;
        },
        testDatabase: () => {
          if (database === undefined) throw new Error("the database is not ready yet");
          return database;
        },
      });
    });
  }
}
