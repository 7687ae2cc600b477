import type { Kysely, Migration } from "kysely";

/**
 * Who is running a run: each server process registers itself (host, pid) and refreshes its
 * heartbeat; a run records the process that runs it, so a starting server can tell runs left by
 * a dead process (marked interrupted) from those of a live one (see src/actions/run-owners.ts).
 */
export const runOwners: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("server_instances")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("host", "text", (c) => c.notNull())
      .addColumn("pid", "integer", (c) => c.notNull())
      .addColumn("started_at", "text", (c) => c.notNull())
      .addColumn("heartbeat_at", "text", (c) => c.notNull())
      .execute();
    // No foreign key: a run outlives the process that ran it.
    await db.schema.alterTable("runs").addColumn("owner_id", "text").execute();
    await db.schema.createIndex("runs_status_idx").on("runs").columns(["status"]).execute();
  },
};
