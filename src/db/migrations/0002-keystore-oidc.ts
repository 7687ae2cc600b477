import type { Kysely, Migration } from "kysely";

/** Projects, the key store and the OIDC issuer's signing keys. */
export const keystoreOidc: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("projects")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("org_id", "text", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addUniqueConstraint("projects_org_name_unique", ["org_id", "name"])
      .execute();

    await db.schema
      .createTable("project_members")
      .addColumn("project_id", "text", (c) =>
        c.notNull().references("projects.id").onDelete("cascade"),
      )
      .addColumn("principal", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("project_members_pk", ["project_id", "principal"])
      .execute();

    // No foreign key on org_id: the install's own keys use a scope that is not an org.
    await db.schema
      .createTable("secrets")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("org_id", "text", (c) => c.notNull())
      .addColumn("path", "text", (c) => c.notNull())
      .addColumn("project_id", "text", (c) => c.references("projects.id"))
      .addColumn("type", "text", (c) => c.notNull())
      .addColumn("ciphertext", "text", (c) => c.notNull())
      .addColumn("wrapped_key", "text", (c) => c.notNull())
      .addColumn("master_key_id", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("created_by", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .addColumn("updated_by", "text", (c) => c.notNull())
      .addColumn("last_used_at", "text")
      .addUniqueConstraint("secrets_org_path_unique", ["org_id", "path"])
      .execute();
    await db.schema
      .createIndex("secrets_master_key_idx")
      .on("secrets")
      .column("master_key_id")
      .execute();

    await db.schema
      .createTable("oidc_keys")
      .addColumn("kid", "text", (c) => c.primaryKey())
      .addColumn("secret_path", "text", (c) => c.notNull())
      .addColumn("public_jwk", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("retired_at", "text")
      .addColumn("publish_until", "text")
      .execute();
  },
};
