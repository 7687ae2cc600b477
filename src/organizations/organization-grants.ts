import { idsByName, namesById } from "../access/index.js";
import type { DbOrTx } from "../db/index.js";
import type { Organization } from "./schemas.js";

type Grant = Organization["grants"][number];

/**
 * An organization's grant as stored: a team or a user by its id, so that one renamed, or deleted
 * and created again under the same name, never inherits the grant (nor, through the reconcile,
 * the member connections); `org` as given.
 */
export type StoredGrant =
  | { principal: string; role: Grant["role"] }
  | { teamId: string; role: Grant["role"] }
  | { userId: string; role: Grant["role"] };

const nameAfter = (principal: string, prefix: string) =>
  principal.startsWith(prefix) ? [principal.slice(prefix.length)] : [];

/** The grants to store for `grants` (teams and users by id); the caller has checked that each exists. */
export async function storedGrants(
  db: DbOrTx,
  orgId: string,
  grants: Grant[],
): Promise<StoredGrant[]> {
  const teams = await idsByName(
    db,
    "teams",
    orgId,
    grants.flatMap((g) => nameAfter(g.principal, "team:")),
  );
  const users = await idsByName(
    db,
    "users",
    orgId,
    grants.flatMap((g) => nameAfter(g.principal, "user:")),
  );
  return grants.flatMap((g): StoredGrant[] => {
    const [team] = nameAfter(g.principal, "team:");
    if (team !== undefined) {
      const teamId = teams.get(team);
      return teamId === undefined ? [] : [{ teamId, role: g.role }];
    }
    const [user] = nameAfter(g.principal, "user:");
    if (user !== undefined) {
      const userId = users.get(user);
      return userId === undefined ? [] : [{ userId, role: g.role }];
    }
    return [{ principal: g.principal, role: g.role }];
  });
}

/**
 * The grants as the API and the member connections see them: each team and user by its current
 * name; a deleted team's or user's grant is gone.
 */
export async function resolveGrants(
  db: DbOrTx,
  orgId: string,
  stored: StoredGrant[],
): Promise<Grant[]> {
  const teams = await namesById(
    db,
    "teams",
    orgId,
    stored.flatMap((g) => ("teamId" in g ? [g.teamId] : [])),
  );
  const users = await namesById(
    db,
    "users",
    orgId,
    stored.flatMap((g) => ("userId" in g ? [g.userId] : [])),
  );
  return stored.flatMap((g): Grant[] => {
    if ("teamId" in g) {
      const name = teams.get(g.teamId);
      return name === undefined ? [] : [{ principal: `team:${name}`, role: g.role }];
    }
    if ("userId" in g) {
      const name = users.get(g.userId);
      return name === undefined ? [] : [{ principal: `user:${name}`, role: g.role }];
    }
    return [{ principal: g.principal, role: g.role }];
  });
}
