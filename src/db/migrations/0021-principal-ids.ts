import { sql, type Kysely, type Migration } from "kysely";

/**
 * Project members named users and teams by name (`user:<name>`, `team:<name>`), and so did a
 * connection's user grants and an access request's requester (`user:<name>`): a user or team
 * deleted and created again under that name inherited the old one's projects (and their
 * secrets), connections and pending requests. Each becomes the id of that name's user or team in
 * the same org, as it is now (`user-id:<id>`, `team-id:<id>`, see access/stored-principals.ts);
 * a row naming one that no longer exists is dropped, as 0017, 0018 and 0020 did. Correlated
 * plain statements: the same on SQLite and PostgreSQL.
 */
export const principalIds: Migration = {
  async up(db: Kysely<unknown>) {
    // Project members: users and teams of the project's org.
    for (const [kind, table] of [
      ["user", "users"],
      ["team", "teams"],
    ] as const) {
      const match = sql`from ${sql.table(table)} x join projects p on p.org_id = x.org_id
        where p.id = project_members.project_id
          and ${sql.lit(`${kind}:`)} || x.name = project_members.principal`;
      await sql`update project_members
        set principal = (select ${sql.lit(`${kind}-id:`)} || x.id ${match})
        where principal like ${sql.lit(`${kind}:%`)} and exists (select 1 ${match})`.execute(db);
      await sql`delete from project_members where principal like ${sql.lit(`${kind}:%`)}`.execute(
        db,
      );
    }

    // Connection grants to users (teams were moved to ids by 0018).
    const grantee = sql`from users u join connections c on c.org_id = u.org_id
      where c.id = connection_grants.connection_id and 'user:' || u.name = connection_grants.principal`;
    await sql`update connection_grants
      set principal = (select 'user-id:' || u.id ${grantee})
      where principal like 'user:%' and exists (select 1 ${grantee})`.execute(db);
    await sql`delete from connection_grants where principal like 'user:%'`.execute(db);

    // Access requests: the requester, in the request's org.
    const requester = sql`from users u
      where u.org_id = access_requests.org_id and 'user:' || u.name = access_requests.requester`;
    await sql`update access_requests
      set requester = (select 'user-id:' || u.id ${requester})
      where requester like 'user:%' and exists (select 1 ${requester})`.execute(db);
    await sql`delete from access_requests where requester like 'user:%'`.execute(db);
  },
};
