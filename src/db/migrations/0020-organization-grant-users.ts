import { sql, type Kysely, type Migration } from "kysely";

interface Row {
  id: string;
  org_id: string;
  grants: string;
}

/**
 * An organization's grants named users by name (`user:<name>`), so a user deleted and created
 * again under that name got member connections from the reconcile: each becomes the user's id
 * (`{userId, role}`), as the user is now, and a grant to a user that no longer exists is dropped.
 * Plain reads and writes of the JSON column: the same on SQLite and PostgreSQL.
 */
export const organizationGrantUsers: Migration = {
  async up(db: Kysely<unknown>) {
    const rows = await sql<Row>`select id, org_id, grants from organizations`.execute(db);
    for (const row of rows.rows) {
      const grants = JSON.parse(row.grants) as { principal?: string; role: string }[];
      const next = [];
      for (const grant of grants) {
        if (grant.principal === undefined || !grant.principal.startsWith("user:")) {
          next.push(grant);
          continue;
        }
        const name = grant.principal.slice("user:".length);
        const user = await sql<{
          id: string;
        }>`select id from users where org_id = ${row.org_id} and name = ${name}`.execute(db);
        const id = user.rows[0]?.id;
        if (id !== undefined) next.push({ userId: id, role: grant.role });
      }
      await sql`update organizations set grants = ${JSON.stringify(next)} where id = ${row.id}`.execute(
        db,
      );
    }
  },
};
