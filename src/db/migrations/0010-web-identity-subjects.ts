import { sql, type Kysely, type Migration } from "kysely";

/**
 * Web identity subjects are reserved once used: a role may still trust the subject of a deleted
 * or renamed web_identity connection, so a new connection with that name must not inherit it.
 * Every web_identity connection keeps its own subject. Names such connections had before this
 * record existed are read from the audit trail (created as web_identity; renamed with the
 * confirmation a web_identity rename needs) and reserved for nobody: reusing one takes an org
 * admin's confirmation. A name reserved this way too many costs only that confirmation.
 */
export const webIdentitySubjects: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("web_identity_subjects")
      .addColumn("org_id", "text", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
      .addColumn("subject", "text", (c) => c.notNull())
      // No foreign key: the reservation outlives the connection.
      .addColumn("connection_id", "text")
      .addColumn("claimed_at", "text", (c) => c.notNull())
      .addColumn("claimed_by", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("web_identity_subjects_pk", ["org_id", "subject"])
      .execute();

    const now = new Date().toISOString();
    const reserved = new Set<string>();
    const reserve = async (orgId: string, name: string, connectionId: string | null) => {
      const subject = `switchboard:connection/${name}`;
      if (reserved.has(`${orgId} ${subject}`)) return;
      reserved.add(`${orgId} ${subject}`);
      await sql`insert into web_identity_subjects (org_id, subject, connection_id, claimed_at, claimed_by)
        values (${orgId}, ${subject}, ${connectionId}, ${now}, 'system')`.execute(db);
    };

    const current = await sql<{ id: string; org_id: string; name: string }>`
      select id, org_id, name from connections where method = 'web_identity'`.execute(db);
    for (const c of current.rows) await reserve(c.org_id, c.name, c.id);

    const events = await sql<{
      org_id: string;
      action: string;
      object_id: string | null;
      detail: string | null;
    }>`select org_id, action, object_id, detail from audit_events
      where object_type = 'connection' and action in ('connection.create', 'connection.update')
      and outcome = 'success'`.execute(db);
    for (const e of events.rows) {
      if (e.object_id === null || e.detail === null) continue;
      const detail = JSON.parse(e.detail) as {
        method?: unknown;
        fields?: unknown;
        renamedTo?: unknown;
      };
      if (e.action === "connection.create" && detail.method === "web_identity") {
        await reserve(e.org_id, e.object_id, null);
      }
      if (
        e.action === "connection.update" &&
        typeof detail.renamedTo === "string" &&
        Array.isArray(detail.fields) &&
        detail.fields.includes("confirmRename")
      ) {
        await reserve(e.org_id, e.object_id, null);
        await reserve(e.org_id, detail.renamedTo, null);
      }
    }
  },
};
