import type { Kysely, Migration } from "kysely";

/** Runs of actions: one row per run, one per (connection, region) target. */
export const runs: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("runs")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("org_id", "text", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("action_id", "text", (c) => c.notNull())
      .addColumn("actor", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("input", "text", (c) => c.notNull())
      .addColumn("target_count", "integer", (c) => c.notNull())
      .addColumn("started_at", "text", (c) => c.notNull())
      .addColumn("finished_at", "text")
      .addColumn("duration_ms", "integer")
      .addColumn("summary", "text")
      .execute();
    await db.schema.createIndex("runs_org_idx").on("runs").columns(["org_id", "id"]).execute();

    await db.schema
      .createTable("run_targets")
      .addColumn("run_id", "text", (c) => c.notNull().references("runs.id").onDelete("cascade"))
      .addColumn("idx", "integer", (c) => c.notNull())
      .addColumn("connection_name", "text", (c) => c.notNull())
      .addColumn("account_id", "text")
      .addColumn("region", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("duration_ms", "integer", (c) => c.notNull())
      .addColumn("output", "text")
      .addColumn("output_bytes", "integer", (c) => c.notNull())
      .addColumn("output_truncated", "integer", (c) => c.notNull())
      .addColumn("error", "text")
      .addPrimaryKeyConstraint("run_targets_pk", ["run_id", "idx"])
      .execute();
  },
};
