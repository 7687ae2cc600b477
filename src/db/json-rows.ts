import { sql, type RawBuilder } from "kysely";
import type { Dialect } from "./create-db.js";

export type JsonColumnType = "text" | "integer";

/**
 * Many rows as one parameter: a FROM item `j` with one row per object, so that one UPDATE … FROM
 * (or INSERT … SELECT) writes a whole batch instead of a statement per row. SQLite reads the
 * objects with `json_each`, PostgreSQL with `jsonb_to_recordset` and the columns' types.
 */
export function jsonRows<C extends string>(
  dialect: Dialect,
  rows: readonly Partial<Record<C, string | number | null>>[],
  columns: Record<C, JsonColumnType>,
): { from: RawBuilder<unknown>; col: (name: C) => RawBuilder<unknown> } {
  const json = JSON.stringify(rows);
  if (dialect === "sqlite") {
    return {
      from: sql`json_each(${json}) as j`,
      col: (name) => sql.raw(`(j.value ->> '${name}')`),
    };
  }
  const typed = Object.entries(columns)
    .map(([name, type]) => `${name} ${type === "integer" ? "bigint" : "text"}`)
    .join(", ");
  return {
    from: sql`jsonb_to_recordset(${json}::jsonb) as j(${sql.raw(typed)})`,
    col: (name) => sql.ref(`j.${name}`),
  };
}
