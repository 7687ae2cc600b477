import type { Principal } from "../access/index.js";
import type { DbOrTx } from "../db/index.js";
import { Refused } from "../errors.js";

/**
 * The principal a run executes as, read again each time a step starts: a user removed (or made a
 * member) since the run began acts with what they have now, not with what they had.
 */
export async function runPrincipal(db: DbOrTx, orgId: string, userId: string): Promise<Principal> {
  const row = await db
    .selectFrom("users")
    .innerJoin("orgs", "orgs.id", "users.org_id")
    .select(["users.id", "users.name", "users.role", "orgs.name as org_name"])
    .where("users.id", "=", userId)
    .where("users.org_id", "=", orgId)
    .executeTakeFirst();
  if (row === undefined) {
    throw new Refused(
      "FORBIDDEN",
      "the user this run executes as no longer exists: start it again as someone else",
    );
  }
  return {
    orgId,
    orgName: row.org_name,
    userId: row.id,
    userName: row.name,
    role: row.role,
    via: "run",
  };
}
