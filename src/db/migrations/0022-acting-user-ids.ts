import { sql, type Kysely, type Migration } from "kysely";

/**
 * Runs (`actor`), workflows and their versions (`created_by`) named who acted by name
 * (`user:<name>`, as the audit log does), and that name decided who sees a run, who changes an
 * org workflow and whom its schedule and webhook runs execute as: a user deleted and created
 * again under the name took all of it over. Each gets the acting user's id beside the name (the
 * name stays for display): `runs.started_by_user_id`, `workflows.created_by_user_id`,
 * `workflow_versions.created_by_user_id`. Existing rows map to the user of that name in the same
 * org who already existed when the row was written; a name whose user is gone (or was created
 * again since) maps to nothing. Correlated plain statements: the same on SQLite and PostgreSQL.
 */
export const actingUserIds: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable("runs").addColumn("started_by_user_id", "text").execute();
    await db.schema.alterTable("workflows").addColumn("created_by_user_id", "text").execute();
    await db.schema
      .alterTable("workflow_versions")
      .addColumn("created_by_user_id", "text")
      .execute();

    await sql`update runs set started_by_user_id = (select u.id from users u
        where u.org_id = runs.org_id and 'user:' || u.name = runs.actor
          and u.created_at <= runs.started_at)
      where actor like 'user:%'`.execute(db);
    await sql`update workflows set created_by_user_id = (select u.id from users u
        where u.org_id = workflows.org_id and 'user:' || u.name = workflows.created_by
          and u.created_at <= workflows.created_at)
      where created_by like 'user:%'`.execute(db);
    await sql`update workflow_versions set created_by_user_id = (select u.id
        from users u join workflows w on w.org_id = u.org_id
        where w.id = workflow_versions.workflow_id
          and 'user:' || u.name = workflow_versions.created_by
          and u.created_at <= workflow_versions.created_at)
      where created_by like 'user:%'`.execute(db);
  },
};
