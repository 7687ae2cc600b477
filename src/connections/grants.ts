import {
  namedPrincipals,
  storedPrincipalsOf,
  toStoredPrincipals,
  type Principal,
} from "../access/index.js";
import { recordAuditEvent, type RequestContext } from "../audit/index.js";
import type { DbOrTx } from "../db/index.js";
import { Forbidden, Invalid } from "../errors.js";
import type { ConnectionDeps } from "./connection-deps.js";
import type { Grant, GrantRole } from "./schemas.js";

export const ALL_ROLES: GrantRole[] = ["viewer", "editor", "executor"];

/**
 * A grant is stored for a user's or team's id (`user-id:<id>`, `team-id:<id>`, see
 * access/stored-principals.ts), never a name, so one deleted and created again under the same
 * name inherits nothing; the API shows `user:<name>` and `team:<name>`. `org` is stored as is.
 */
async function grantPrincipalsOf(db: DbOrTx, principal: Principal): Promise<string[]> {
  return [...(await storedPrincipalsOf(db, principal)), "org"];
}

/**
 * What a principal may do with a connection: org admins everything; others what their grants
 * (to them, their teams or the whole org) say. Editors and executors also see it.
 */
export async function rolesOn(
  db: DbOrTx,
  principal: Principal,
  connectionId: string,
): Promise<GrantRole[]> {
  return (await rolesOnEach(db, principal, [connectionId])).get(connectionId) ?? [];
}

/** `rolesOn` for many connections with one query: listing and fan-out resolve them all at once. */
export async function rolesOnEach(
  db: DbOrTx,
  principal: Principal,
  connectionIds: string[],
): Promise<Map<string, GrantRole[]>> {
  if (principal.role === "admin") return new Map(connectionIds.map((id) => [id, ALL_ROLES]));
  const granted = new Map<string, Set<GrantRole>>(connectionIds.map((id) => [id, new Set()]));
  if (connectionIds.length > 0) {
    const rows = await db
      .selectFrom("connection_grants")
      .select(["connection_id", "role"])
      .where("connection_id", "in", connectionIds)
      .where("principal", "in", await grantPrincipalsOf(db, principal))
      .execute();
    for (const row of rows) granted.get(row.connection_id)?.add(row.role);
  }
  const result = new Map<string, GrantRole[]>();
  for (const [id, roles] of granted) {
    if (roles.size > 0) roles.add("viewer");
    result.set(
      id,
      ALL_ROLES.filter((r) => roles.has(r)),
    );
  }
  return result;
}

export function requireRole(roles: GrantRole[], role: GrantRole, connectionName: string): void {
  if (!roles.includes(role)) {
    throw new Forbidden(
      role === "executor"
        ? `you need the executor role on connection ${connectionName} to run actions with it`
        : `you need the ${role} role on connection ${connectionName}; a viewer can request edit access`,
    );
  }
}

/** A connection's grants as the API shows them: each user and team by its current name. */
export async function listGrants(db: DbOrTx, connectionId: string): Promise<Grant[]> {
  const rows = await db
    .selectFrom("connection_grants")
    .innerJoin("connections", "connections.id", "connection_grants.connection_id")
    .select(["connection_grants.principal", "connection_grants.role", "connections.org_id"])
    .where("connection_grants.connection_id", "=", connectionId)
    .execute();
  const orgId = rows[0]?.org_id;
  if (orgId === undefined) return [];
  const named = await namedPrincipals(
    db,
    orgId,
    rows.map((r) => r.principal),
  );
  const grants = rows.flatMap((row): Grant[] => {
    // A user or team deleted since: its grant stands for nobody.
    const principal = named.get(row.principal);
    return principal === undefined ? [] : [{ principal, role: row.role }];
  });
  const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return grants.sort((a, b) => order(a.principal, b.principal) || order(a.role, b.role));
}

/** Refuses a grant to a user or team the org lacks; `fieldPrefix` says where the list is in the body. */
export async function assertPrincipalsExist(
  db: DbOrTx,
  orgId: string,
  grants: Grant[],
  fieldPrefix = "",
): Promise<void> {
  for (const [index, grant] of grants.entries()) {
    if (grant.principal === "org") continue;
    const [kind, name] = grant.principal.split(":") as [string, string];
    const found = await db
      .selectFrom(kind === "user" ? "users" : "teams")
      .select("id")
      .where("org_id", "=", orgId)
      .where("name", "=", name)
      .executeTakeFirst();
    if (found === undefined)
      throw new Invalid(`${grant.principal} does not exist in this org`, {
        field: `${fieldPrefix}${index}.principal`,
      });
  }
}

export async function replaceGrants(
  tx: DbOrTx,
  connectionId: string,
  grants: Grant[],
  now: Date,
): Promise<void> {
  const connection = await tx
    .selectFrom("connections")
    .select("org_id")
    .where("id", "=", connectionId)
    .executeTakeFirstOrThrow();
  const principals = await toStoredPrincipals(
    tx,
    connection.org_id,
    grants.map((g) => g.principal),
    (index) => `${index}.principal`,
  );
  // toStoredPrincipals keeps the order, so the index pairs each grant with its stored principal.
  const stored = grants.map((g, i) => ({ principal: principals[i] ?? g.principal, role: g.role }));
  await tx.deleteFrom("connection_grants").where("connection_id", "=", connectionId).execute();
  const unique = new Map(stored.map((g) => [`${g.principal} ${g.role}`, g]));
  for (const grant of unique.values()) {
    await tx
      .insertInto("connection_grants")
      .values({
        connection_id: connectionId,
        principal: grant.principal,
        role: grant.role,
        created_at: now.toISOString(),
      })
      .execute();
  }
}

/** Replaces a connection's grants; needs editor. */
export async function setGrants(
  deps: Pick<ConnectionDeps, "db" | "clock">,
  context: RequestContext,
  connection: { id: string; name: string; orgId: string },
  grants: Grant[],
): Promise<Grant[]> {
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (tx) => {
    await assertPrincipalsExist(tx, connection.orgId, grants);
    await replaceGrants(tx, connection.id, grants, now);
    const stored = await listGrants(tx, connection.id);
    await recordAuditEvent(
      tx,
      context,
      {
        action: "connection.grants.set",
        objectType: "connection",
        objectId: connection.name,
        detail: { grants: stored },
      },
      now,
    );
    return stored;
  });
}
