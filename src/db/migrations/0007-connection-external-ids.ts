import { randomBytes } from "node:crypto";
import { sql, type Kysely, type Migration } from "kysely";
import { newId } from "../../ids.js";

/**
 * ExternalIds belong to connections, no longer to the org: a member who could reuse the org's
 * value could point a copy of any connection at its role. An ExternalId is a row of its own that
 * connections reference, so a group of connections (an Organizations onboarding) can later share
 * one. Every existing assume_role connection keeps the org's current value, so no role breaks.
 */
export const connectionExternalIds: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("external_ids")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("org_id", "text", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
      .addColumn("value", "text", (c) => c.notNull())
      // "connection": it belongs to one connection (later also "group", shared by an onboarding).
      .addColumn("owner_kind", "text", (c) => c.notNull())
      // The user a draft's ExternalId was made for; only they may save a connection with it.
      .addColumn("issued_to", "text")
      .addColumn("created_at", "text", (c) => c.notNull())
      // Null while it is a draft's; set once a saved connection took it.
      .addColumn("claimed_at", "text")
      .addColumn("rotated_at", "text")
      .execute();
    await db.schema
      .createIndex("external_ids_org_value")
      .on("external_ids")
      .columns(["org_id", "value"])
      .execute();
    await db.schema
      .alterTable("connections")
      .addColumn("external_id_id", "text", (c) => c.references("external_ids.id"))
      .execute();

    const now = new Date().toISOString();
    const orgValues = await sql<{ org_id: string; external_id: string }>`
      select org_id, external_id from org_external_ids`.execute(db);
    const valueOf = new Map(orgValues.rows.map((r) => [r.org_id, r.external_id]));
    const connections = await sql<{ id: string; org_id: string }>`
      select id, org_id from connections where method = 'assume_role'`.execute(db);
    for (const connection of connections.rows) {
      // An org whose ExternalId was never shown has no role that requires it: a new value is safe.
      const value =
        valueOf.get(connection.org_id) ?? `switchboard-${randomBytes(24).toString("base64url")}`;
      const id = newId();
      await sql`insert into external_ids (id, org_id, value, owner_kind, issued_to, created_at, claimed_at)
        values (${id}, ${connection.org_id}, ${value}, 'connection', null, ${now}, ${now})`.execute(
        db,
      );
      await sql`update connections set external_id_id = ${id} where id = ${connection.id}`.execute(
        db,
      );
    }
    await db.schema.dropTable("org_external_ids").execute();
  },
};
