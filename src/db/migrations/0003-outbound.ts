import type { Kysely, Migration } from "kysely";

/** The per-org outbound allow-list. Text columns and ISO-8601 text timestamps, as 0001, on both dialects. */
export const outbound: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("outbound_allow_lists")
      .addColumn("org_id", "text", (c) => c.primaryKey().references("orgs.id").onDelete("cascade"))
      .addColumn("patterns", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .addColumn("updated_by", "text", (c) => c.notNull())
      .execute();
  },
};
