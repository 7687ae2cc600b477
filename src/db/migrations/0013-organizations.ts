import type { Kysely, Migration } from "kysely";

/**
 * AWS Organizations: the organization (a connection into its management account or delegated
 * administrator, the onboarding, the StackSet deployment) and one row per account it ever listed,
 * with the health ledger fan-outs read. Accounts are never deleted: one that left is marked.
 */
export const organizations: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("organizations")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("org_id", "text", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
      .addColumn("name", "text", (c) => c.notNull())
      // No foreign key: deleting the connection leaves the organization, which then says so.
      .addColumn("connection_id", "text", (c) => c.notNull())
      .addColumn("call_as", "text", (c) => c.notNull())
      .addColumn("aws_organization_id", "text", (c) => c.notNull())
      .addColumn("management_account_id", "text", (c) => c.notNull())
      .addColumn("tree", "text", (c) => c.notNull())
      .addColumn("grants", "text", (c) => c.notNull())
      .addColumn("onboarding", "text")
      .addColumn("external_id_id", "text", (c) => c.references("external_ids.id"))
      .addColumn("deployment", "text")
      .addColumn("last_sync", "text")
      .addColumn("onboarded_by", "text")
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("created_by", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .addUniqueConstraint("organizations_org_name", ["org_id", "name"])
      .execute();
    await db.schema
      .createTable("organization_accounts")
      .addColumn("organization_id", "text", (c) =>
        c.notNull().references("organizations.id").onDelete("cascade"),
      )
      .addColumn("account_id", "text", (c) => c.notNull())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("email", "text", (c) => c.notNull())
      .addColumn("state", "text", (c) => c.notNull())
      .addColumn("membership", "text", (c) => c.notNull())
      .addColumn("parent_id", "text", (c) => c.notNull())
      .addColumn("ou_path", "text", (c) => c.notNull())
      // No foreign key: a member connection deleted by hand leaves the account listed.
      .addColumn("connection_id", "text")
      .addColumn("assumable", "integer")
      .addColumn("blocked_regions", "text", (c) => c.notNull())
      .addColumn("last_error", "text")
      .addColumn("last_error_at", "text")
      .addColumn("checked_at", "text")
      .addColumn("stack_status", "text")
      .addColumn("stack_reason", "text")
      .addColumn("first_seen_at", "text", (c) => c.notNull())
      .addColumn("left_at", "text")
      .addColumn("updated_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("organization_accounts_pk", ["organization_id", "account_id"])
      .execute();
    await db.schema
      .createIndex("organization_accounts_connection")
      .on("organization_accounts")
      .column("connection_id")
      .execute();
  },
};
