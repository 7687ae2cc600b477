import { sql, type Kysely, type Migration } from "kysely";

/**
 * A connection's grants named teams by name (`team:<name>`), so a team deleted and created again
 * under that name inherited every grant: each becomes `team-id:<id>` of that name's team in the
 * connection's org, as the team is now. A grant to a team that no longer exists is dropped, for
 * the same reason. Plain statements: the same on SQLite and PostgreSQL.
 */
export const connectionGrantTeams: Migration = {
  async up(db: Kysely<unknown>) {
    const rows = await sql<{
      connection_id: string;
      principal: string;
      role: string;
      team_id: string | null;
    }>`select g.connection_id, g.principal, g.role, t.id as team_id
      from connection_grants g
      join connections c on c.id = g.connection_id
      left join teams t on t.org_id = c.org_id and 'team:' || t.name = g.principal
      where g.principal like 'team:%'`.execute(db);
    for (const row of rows.rows) {
      if (row.team_id !== null) {
        await sql`update connection_grants set principal = ${`team-id:${row.team_id}`}
          where connection_id = ${row.connection_id} and principal = ${row.principal} and role = ${row.role}`.execute(
          db,
        );
      } else {
        await sql`delete from connection_grants
          where connection_id = ${row.connection_id} and principal = ${row.principal} and role = ${row.role}`.execute(
          db,
        );
      }
    }
  },
};
