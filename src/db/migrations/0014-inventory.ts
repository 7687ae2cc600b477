import type { Kysely, Migration } from "kysely";

/**
 * The inventory (src/inventory/): resources as ARNs with their containment, edges, the scopes a
 * sync lists (connection, region, type) with their last success or error, and the change
 * timeline. No table has a column for an attribute of a resource.
 */
export const inventory: Migration = {
  async up(db: Kysely<unknown>) {
    const connectionId = "connection_id";
    await db.schema
      .createTable("inventory_resources")
      .addColumn("org_id", "text", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
      .addColumn(connectionId, "text", (c) =>
        c.notNull().references("connections.id").onDelete("cascade"),
      )
      .addColumn("account_id", "text", (c) => c.notNull())
      .addColumn("region", "text", (c) => c.notNull())
      .addColumn("type", "text", (c) => c.notNull())
      .addColumn("arn", "text", (c) => c.notNull())
      .addColumn("parent_arn", "text")
      .addColumn("zone", "text")
      .addColumn("first_seen", "text", (c) => c.notNull())
      .addColumn("last_seen", "text", (c) => c.notNull())
      .addColumn("gone_at", "text")
      .addPrimaryKeyConstraint("inventory_resources_pk", [connectionId, "arn"])
      .execute();
    await db.schema
      .createIndex("inventory_resources_scope")
      .on("inventory_resources")
      .columns([connectionId, "region", "type"])
      .execute();
    await db.schema
      .createIndex("inventory_resources_org_arn")
      .on("inventory_resources")
      .columns(["org_id", "arn"])
      .execute();

    await db.schema
      .createTable("inventory_edges")
      .addColumn("org_id", "text", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
      .addColumn(connectionId, "text", (c) =>
        c.notNull().references("connections.id").onDelete("cascade"),
      )
      .addColumn("region", "text", (c) => c.notNull())
      .addColumn("type", "text", (c) => c.notNull())
      .addColumn("from_arn", "text", (c) => c.notNull())
      .addColumn("to_arn", "text", (c) => c.notNull())
      .addColumn("kind", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("inventory_edges_pk", [
        connectionId,
        "region",
        "type",
        "from_arn",
        "to_arn",
        "kind",
      ])
      .execute();
    await db.schema
      .createIndex("inventory_edges_from")
      .on("inventory_edges")
      .columns([connectionId, "from_arn"])
      .execute();

    await db.schema
      .createTable("inventory_scopes")
      .addColumn("org_id", "text", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
      .addColumn(connectionId, "text", (c) =>
        c.notNull().references("connections.id").onDelete("cascade"),
      )
      .addColumn("region", "text", (c) => c.notNull())
      .addColumn("type", "text", (c) => c.notNull())
      .addColumn("account_id", "text", (c) => c.notNull())
      .addColumn("synced_at", "text")
      .addColumn("checked_at", "text", (c) => c.notNull())
      .addColumn("run_id", "text", (c) => c.notNull())
      .addColumn("error", "text")
      .addPrimaryKeyConstraint("inventory_scopes_pk", [connectionId, "region", "type"])
      .execute();

    await db.schema
      .createTable("inventory_changes")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("org_id", "text", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
      .addColumn(connectionId, "text", (c) =>
        c.notNull().references("connections.id").onDelete("cascade"),
      )
      .addColumn("region", "text", (c) => c.notNull())
      .addColumn("type", "text", (c) => c.notNull())
      .addColumn("arn", "text", (c) => c.notNull())
      .addColumn("change", "text", (c) => c.notNull())
      .addColumn("at", "text", (c) => c.notNull())
      .addColumn("run_id", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("inventory_changes_connection_at")
      .on("inventory_changes")
      .columns([connectionId, "at"])
      .execute();

    await db.schema
      .createTable("inventory_schedules")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("org_id", "text", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("cron", "text", (c) => c.notNull())
      .addColumn("timezone", "text", (c) => c.notNull())
      .addColumn("request", "text", (c) => c.notNull())
      .addColumn("run_as_user_id", "text", (c) =>
        c.notNull().references("users.id").onDelete("cascade"),
      )
      .addColumn("created_at", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("inventory_schedules_org_name")
      .unique()
      .on("inventory_schedules")
      .columns(["org_id", "name"])
      .execute();

    await db.schema
      .createTable("inventory_prices")
      .addColumn("org_id", "text", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
      .addColumn("service_code", "text", (c) => c.notNull())
      .addColumn("sku", "text", (c) => c.notNull())
      .addColumn("unit", "text", (c) => c.notNull())
      .addColumn("region_code", "text", (c) => c.notNull())
      .addColumn("product_family", "text", (c) => c.notNull())
      .addColumn("attributes", "text", (c) => c.notNull())
      .addColumn("usd", "text", (c) => c.notNull())
      .addColumn("description", "text", (c) => c.notNull())
      .addColumn("source", "text", (c) => c.notNull())
      .addColumn("published_at", "text", (c) => c.notNull())
      .addColumn("fetched_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("inventory_prices_pk", ["org_id", "service_code", "sku", "unit"])
      .execute();
    await db.schema
      .createIndex("inventory_prices_lookup")
      .on("inventory_prices")
      .columns(["org_id", "service_code", "region_code"])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    for (const table of [
      "inventory_prices",
      "inventory_schedules",
      "inventory_changes",
      "inventory_scopes",
      "inventory_edges",
      "inventory_resources",
    ])
      await db.schema.dropTable(table).execute();
  },
};
