import type { Kysely, Migration } from "kysely";

/** AWS connections, their grants, edit-access requests and each org's ExternalId. */
export const connections: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("connections")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("org_id", "text", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("method", "text", (c) => c.notNull())
      .addColumn("settings", "text", (c) => c.notNull())
      .addColumn("access", "text", (c) => c.notNull())
      .addColumn("regions", "text", (c) => c.notNull())
      .addColumn("endpoint", "text")
      .addColumn("tags", "text", (c) => c.notNull())
      .addColumn("project_id", "text", (c) => c.references("projects.id"))
      .addColumn("account_id", "text")
      .addColumn("health", "text")
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("created_by", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .addUniqueConstraint("connections_org_name_unique", ["org_id", "name"])
      .execute();

    await db.schema
      .createTable("connection_grants")
      .addColumn("connection_id", "text", (c) =>
        c.notNull().references("connections.id").onDelete("cascade"),
      )
      .addColumn("principal", "text", (c) => c.notNull())
      .addColumn("role", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("connection_grants_pk", ["connection_id", "principal", "role"])
      .execute();

    await db.schema
      .createTable("access_requests")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("org_id", "text", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
      .addColumn("connection_id", "text", (c) =>
        c.notNull().references("connections.id").onDelete("cascade"),
      )
      .addColumn("requester", "text", (c) => c.notNull())
      .addColumn("reason", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("decided_by", "text")
      .addColumn("decided_at", "text")
      .addColumn("created_at", "text", (c) => c.notNull())
      .execute();

    await db.schema
      .createTable("org_external_ids")
      .addColumn("org_id", "text", (c) => c.primaryKey().references("orgs.id").onDelete("cascade"))
      .addColumn("external_id", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .execute();
  },
};
