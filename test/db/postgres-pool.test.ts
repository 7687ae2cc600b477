import pg from "pg";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../src/db/index.js";
import { createTestDatabase, type TestDatabase } from "../helpers/databases.js";

function adminClient(database: TestDatabase): pg.Client {
  const url = database.config.dialect === "postgres" ? database.config.url : "";
  return new pg.Client({ connectionString: url.replace(/\/[^/]+$/, "/postgres") });
}

describe("the PostgreSQL pool", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase("postgres");
  });
  afterAll(() => database.dispose());

  it("survives the server ending an idle connection, reports it, and opens a new one", async () => {
    const errors: Error[] = [];
    const handle = createDb(database.config, { onPoolError: (e) => errors.push(e) });
    try {
      const before = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(handle.db);
      const pid = before.rows[0]?.pid;
      // What a PostgreSQL restart or failover does to the pool's idle connections.
      const admin = adminClient(database);
      await admin.connect();
      await admin.query("SELECT pg_terminate_backend($1)", [pid]);
      await admin.end();
      await expect.poll(() => errors.map((e) => (e as { code?: string }).code)).toEqual(["57P01"]);
      const after = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(handle.db);
      expect(after.rows[0]?.pid).not.toBe(pid);
    } finally {
      await handle.destroy();
    }
  });

  it("has closed every connection when destroy resolves", async () => {
    const handle = createDb(database.config);
    // Several connections at once, as a busy server holds them.
    await Promise.all(
      Array.from({ length: 5 }, () => sql`SELECT pg_sleep(0.05)`.execute(handle.db)),
    );
    const admin = adminClient(database);
    await admin.connect();
    try {
      await handle.destroy();
      // What a test's DROP DATABASE … WITH (FORCE) does right after: a connection still closing
      // would be ended under the pool and raise an unhandled error.
      const { rows } = await admin.query<{ pid: number }>(
        "SELECT pg_terminate_backend(pid), pid FROM pg_stat_activity WHERE datname = $1",
        [database.location],
      );
      expect(rows).toEqual([]);
    } finally {
      await admin.end();
    }
  });
});
