import type { DbOrTx } from "../db/index.js";
import type { Organization } from "./schemas.js";

type Grant = Organization["grants"][number];

/**
 * An organization's grant as stored: a team by its id, so that a team renamed, or deleted and
 * created again under the same name, never inherits the grant; `org` and users as given.
 */
export type StoredGrant =
  { principal: string; role: Grant["role"] } | { teamId: string; role: Grant["role"] };

/** The grants to store for `grants` (teams by id); the caller has checked that each exists. */
export async function storedGrants(
  db: DbOrTx,
  orgId: string,
  grants: Grant[],
): Promise<StoredGrant[]> {
  const teamNames = grants.flatMap((g) =>
    g.principal.startsWith("team:") ? [g.principal.slice(5)] : [],
  );
  const teams =
    teamNames.length === 0
      ? []
      : await db
          .selectFrom("teams")
          .select(["id", "name"])
          .where("org_id", "=", orgId)
          .where("name", "in", teamNames)
          .execute();
  const idOf = new Map(teams.map((t) => [t.name, t.id]));
  return grants.flatMap((g): StoredGrant[] => {
    if (!g.principal.startsWith("team:")) return [{ principal: g.principal, role: g.role }];
    const teamId = idOf.get(g.principal.slice(5));
    return teamId === undefined ? [] : [{ teamId, role: g.role }];
  });
}

/** The grants as the API and the member connections see them: each team by its current name; a deleted team's grant is gone. */
export async function resolveGrants(
  db: DbOrTx,
  orgId: string,
  stored: StoredGrant[],
): Promise<Grant[]> {
  const teamIds = stored.flatMap((g) => ("teamId" in g ? [g.teamId] : []));
  const teams =
    teamIds.length === 0
      ? []
      : await db
          .selectFrom("teams")
          .select(["id", "name"])
          .where("org_id", "=", orgId)
          .where("id", "in", teamIds)
          .execute();
  const nameOf = new Map(teams.map((t) => [t.id, t.name]));
  return stored.flatMap((g): Grant[] => {
    if (!("teamId" in g)) return [{ principal: g.principal, role: g.role }];
    const name = nameOf.get(g.teamId);
    return name === undefined ? [] : [{ principal: `team:${name}`, role: g.role }];
  });
}
