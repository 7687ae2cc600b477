import type { Kysely, Migration } from "kysely";

/**
 * Saved views of the inventory diagram: a selection, the groups collapsed and the positions
 * pinned, private to their owner or shared with one team. Selections are connection names and
 * regions; nothing of a resource but its ARN (as a node id) is kept.
 */
export const inventoryViews: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("inventory_views")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("org_id", "text", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
      .addColumn("owner_user_id", "text", (c) =>
        c.notNull().references("users.id").onDelete("cascade"),
      )
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("selection", "text", (c) => c.notNull())
      .addColumn("collapsed", "text", (c) => c.notNull())
      .addColumn("pinned", "text", (c) => c.notNull())
      // A deleted team leaves its views private to their owners.
      .addColumn("team_id", "text", (c) => c.references("teams.id").onDelete("set null"))
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("inventory_views_owner_name")
      .unique()
      .on("inventory_views")
      .columns(["org_id", "owner_user_id", "name"])
      .execute();
    await db.schema
      .createIndex("inventory_views_team")
      .on("inventory_views")
      .columns(["team_id"])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("inventory_views").execute();
  },
};
