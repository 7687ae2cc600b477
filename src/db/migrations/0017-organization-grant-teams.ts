import { sql, type Kysely, type Migration } from "kysely";

interface Row {
  id: string;
  org_id: string;
  grants: string;
}

/**
 * An organization's grants named teams by name (`team:<name>`), so a team deleted and created
 * again under that name inherited them: each becomes the team's id (`{teamId, role}`), as the
 * team is now. A grant to a team that no longer exists is dropped, for the same reason. Plain
 * reads and writes of the JSON column: the same on SQLite and PostgreSQL.
 */
export const organizationGrantTeams: Migration = {
  async up(db: Kysely<unknown>) {
    const rows = await sql<Row>`select id, org_id, grants from organizations`.execute(db);
    for (const row of rows.rows) {
      const grants = JSON.parse(row.grants) as {
        principal?: string;
        teamId?: string;
        role: string;
      }[];
      const next = [];
      for (const grant of grants) {
        if (grant.principal === undefined || !grant.principal.startsWith("team:")) {
          next.push(grant);
          continue;
        }
        const name = grant.principal.slice("team:".length);
        const team = await sql<{
          id: string;
        }>`select id from teams where org_id = ${row.org_id} and name = ${name}`.execute(db);
        const id = team.rows[0]?.id;
        if (id !== undefined) next.push({ teamId: id, role: grant.role });
      }
      await sql`update organizations set grants = ${JSON.stringify(next)} where id = ${row.id}`.execute(
        db,
      );
    }
  },
};
