import type { DbOrTx } from "../db/index.js";
import { Invalid } from "../errors.js";
import type { Principal } from "../request-types.js";

/**
 * Who a stored grant or membership is for. The API names people and teams (`user:<name>`,
 * `team:<name>`); the database keeps their ids (`user-id:<id>`, `team-id:<id>`), so a user or
 * team deleted and created again under the same name inherits nothing, and a rename keeps
 * everything. Names are resolved only at the API boundary, with the helpers below. Connection
 * grants and project members are stored this way; `org` is stored as given.
 */
export const USER_ID = "user-id:";
export const TEAM_ID = "team-id:";

export const storedUser = (userId: string) => `${USER_ID}${userId}`;
export const storedTeam = (teamId: string) => `${TEAM_ID}${teamId}`;

/** The stored principals that stand for someone: their user id and each of their teams' ids. */
export async function storedPrincipalsOf(db: DbOrTx, principal: Principal): Promise<string[]> {
  const teams = await db
    .selectFrom("team_members")
    .select("team_id")
    .where("user_id", "=", principal.userId)
    .execute();
  return [storedUser(principal.userId), ...teams.map((t) => storedTeam(t.team_id))];
}

/** The ids of the org's users or teams of these names (a name the org lacks is absent). */
export async function idsByName(
  db: DbOrTx,
  table: "users" | "teams",
  orgId: string,
  names: string[],
): Promise<Map<string, string>> {
  if (names.length === 0) return new Map();
  const rows = await db
    .selectFrom(table)
    .select(["id", "name"])
    .where("org_id", "=", orgId)
    .where("name", "in", [...new Set(names)])
    .execute();
  return new Map(rows.map((r) => [r.name, r.id]));
}

/** The names of the org's users or teams of these ids (an id the org lacks is absent). */
export async function namesById(
  db: DbOrTx,
  table: "users" | "teams",
  orgId: string,
  ids: string[],
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom(table)
    .select(["id", "name"])
    .where("org_id", "=", orgId)
    .where("id", "in", [...new Set(ids)])
    .execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

const after = (value: string, prefix: string) =>
  value.startsWith(prefix) ? [value.slice(prefix.length)] : [];

/**
 * The stored form of each named principal (`user:<name>` → `user-id:<id>`, `team:<name>` →
 * `team-id:<id>`, anything else as given), in the same order. A name the org lacks is refused
 * as invalid input on `fieldOf(index)`.
 */
export async function toStoredPrincipals(
  db: DbOrTx,
  orgId: string,
  named: string[],
  fieldOf: (index: number) => string,
): Promise<string[]> {
  const users = await idsByName(
    db,
    "users",
    orgId,
    named.flatMap((p) => after(p, "user:")),
  );
  const teams = await idsByName(
    db,
    "teams",
    orgId,
    named.flatMap((p) => after(p, "team:")),
  );
  return named.map((p, index) => {
    const [user] = after(p, "user:");
    const [team] = after(p, "team:");
    if (user === undefined && team === undefined) return p;
    const id = user !== undefined ? users.get(user) : teams.get(team ?? "");
    if (id === undefined)
      throw new Invalid(`${p} does not exist in this org`, { field: fieldOf(index) });
    return user !== undefined ? storedUser(id) : storedTeam(id);
  });
}

/**
 * How the API shows stored principals: `user:<name>` and `team:<name>` by their current names,
 * anything else as stored. A user or team deleted since is absent from the map: what was
 * stored for it stands for nobody.
 */
export async function namedPrincipals(
  db: DbOrTx,
  orgId: string,
  stored: string[],
): Promise<Map<string, string>> {
  const users = await namesById(
    db,
    "users",
    orgId,
    stored.flatMap((p) => after(p, USER_ID)),
  );
  const teams = await namesById(
    db,
    "teams",
    orgId,
    stored.flatMap((p) => after(p, TEAM_ID)),
  );
  const named = new Map<string, string>();
  for (const p of stored) {
    const [userId] = after(p, USER_ID);
    const [teamId] = after(p, TEAM_ID);
    if (userId !== undefined) {
      const name = users.get(userId);
      if (name !== undefined) named.set(p, `user:${name}`);
    } else if (teamId !== undefined) {
      const name = teams.get(teamId);
      if (name !== undefined) named.set(p, `team:${name}`);
    } else {
      named.set(p, p);
    }
  }
  return named;
}

/** What deleting a user or team removed, for its audit event (absent when nothing was). */
export type RemovedAccess = {
  connectionGrantsRemoved?: { connection: string; role: string }[];
  projectMembershipsRemoved?: string[];
};

/**
 * Removes the connection grants and project memberships stored for `stored` (`user-id:<id>` or
 * `team-id:<id>`), inside the deletion's transaction, and says which.
 */
export async function removeStoredPrincipal(
  tx: DbOrTx,
  stored: string,
): Promise<RemovedAccess | undefined> {
  const grants = await tx
    .selectFrom("connection_grants")
    .innerJoin("connections", "connections.id", "connection_grants.connection_id")
    .select(["connections.name", "connection_grants.role"])
    .where("connection_grants.principal", "=", stored)
    .orderBy("connections.name")
    .orderBy("connection_grants.role")
    .execute();
  const projects = await tx
    .selectFrom("project_members")
    .innerJoin("projects", "projects.id", "project_members.project_id")
    .select("projects.name")
    .where("project_members.principal", "=", stored)
    .orderBy("projects.name")
    .execute();
  await tx.deleteFrom("connection_grants").where("principal", "=", stored).execute();
  await tx.deleteFrom("project_members").where("principal", "=", stored).execute();
  const removed: RemovedAccess = {
    ...(grants.length === 0
      ? {}
      : { connectionGrantsRemoved: grants.map((g) => ({ connection: g.name, role: g.role })) }),
    ...(projects.length === 0 ? {} : { projectMembershipsRemoved: projects.map((p) => p.name) }),
  };
  return Object.keys(removed).length === 0 ? undefined : removed;
}
