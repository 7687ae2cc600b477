import fs from "node:fs";
import { sql } from "kysely";
import { expect } from "vitest";
import type { DatabaseSuite } from "./databases.js";

/**
 * Everything the database holds, as text: the SQLite files' bytes (WAL included), or every
 * PostgreSQL row of every table. Tests search it for what must never be stored (secrets).
 */
export async function databaseText(suite: DatabaseSuite): Promise<string> {
  if (suite.dialect === "sqlite") {
    const file = suite.testDatabase().location;
    return [file, `${file}-wal`, `${file}-shm`]
      .filter((f) => fs.existsSync(f))
      .map((f) => fs.readFileSync(f).toString("latin1"))
      .join("\n");
  }
  const db = suite.handle().db;
  const tables = await sql<{ table_schema: string; table_name: string }>`
    select table_schema, table_name from information_schema.tables
    where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')
  `.execute(db);
  // A search over nothing would find nothing: the schema must be there.
  expect(tables.rows.length).toBeGreaterThan(10);
  const parts: string[] = [];
  for (const { table_schema, table_name } of tables.rows) {
    const rows = await sql<{ row: string }>`
      select row_to_json(t)::text as row from ${sql.table(`${table_schema}.${table_name}`)} t
    `.execute(db);
    for (const r of rows.rows) parts.push(r.row);
  }
  return parts.join("\n");
}
