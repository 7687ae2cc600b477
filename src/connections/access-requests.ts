import { namedPrincipals, storedUser, type Principal } from "../access/index.js";
import { recordAuditEvent, type RequestContext } from "../audit/index.js";
import type { Db, DbOrTx } from "../db/index.js";
import { Conflict, Forbidden, NotFound } from "../errors.js";
import { newId } from "../ids.js";
import type { Clock } from "../clock.js";
import type { AccessRequestTable } from "./connection.table.js";
import type { AccessRequest } from "./schemas.js";

/**
 * `requester` is stored as the user's id (`user-id:<id>`, see access/stored-principals.ts), so a
 * user deleted and created again under the same name neither sees the old one's requests nor,
 * when an admin grants one, gets its grant; the API shows `user:<name>`. Deleting a user deletes
 * their requests.
 */
function toRequest(row: AccessRequestTable, connection: string, requester: string): AccessRequest {
  return {
    id: row.id,
    connection,
    requester,
    reason: row.reason,
    status: row.status,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    createdAt: row.created_at,
  };
}

/** A viewer asks for edit access, with a reason; one pending request per person and connection. */
export async function requestEditAccess(
  deps: { db: Db; clock: Clock },
  context: RequestContext,
  principal: Principal,
  connection: { id: string; name: string },
  reason: string,
): Promise<AccessRequest> {
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (tx) => {
    const requester = storedUser(principal.userId);
    const pending = await tx
      .selectFrom("access_requests")
      .select("id")
      .where("connection_id", "=", connection.id)
      .where("requester", "=", requester)
      .where("status", "=", "pending")
      .executeTakeFirst();
    if (pending !== undefined)
      throw new Conflict(`you already have a pending request for ${connection.name}`);
    const row: AccessRequestTable = {
      id: newId(now.getTime()),
      org_id: principal.orgId,
      connection_id: connection.id,
      requester,
      reason,
      status: "pending",
      decided_by: null,
      decided_at: null,
      created_at: now.toISOString(),
    };
    await tx.insertInto("access_requests").values(row).execute();
    await recordAuditEvent(
      tx,
      context,
      {
        action: "connection.access-request.create",
        objectType: "connection",
        objectId: connection.name,
        detail: { reason },
      },
      now,
    );
    return toRequest(row, connection.name, `user:${principal.userName}`);
  });
}

/** Admins see every request in the org; others their own. */
export async function listAccessRequests(
  db: DbOrTx,
  principal: Principal,
  filter: { status?: AccessRequest["status"] | undefined; connectionId?: string | undefined },
): Promise<AccessRequest[]> {
  let q = db
    .selectFrom("access_requests")
    .innerJoin("connections", "connections.id", "access_requests.connection_id")
    .selectAll("access_requests")
    .select("connections.name as connection_name")
    .where("access_requests.org_id", "=", principal.orgId);
  if (principal.role !== "admin")
    q = q.where("access_requests.requester", "=", storedUser(principal.userId));
  if (filter.status !== undefined) q = q.where("access_requests.status", "=", filter.status);
  if (filter.connectionId !== undefined)
    q = q.where("access_requests.connection_id", "=", filter.connectionId);
  const rows = await q.orderBy("access_requests.id", "desc").limit(500).execute();
  const named = await namedPrincipals(
    db,
    principal.orgId,
    rows.map((r) => r.requester),
  );
  return rows.flatMap((r) => {
    const requester = named.get(r.requester);
    return requester === undefined ? [] : [toRequest(r, r.connection_name, requester)];
  });
}

/** An admin grants (the requester becomes an editor) or declines a pending request. */
export async function decideAccessRequest(
  deps: { db: Db; clock: Clock },
  context: RequestContext,
  principal: Principal,
  requestId: string,
  decision: "granted" | "declined",
): Promise<AccessRequest> {
  if (principal.role !== "admin") throw new Forbidden("only org admins decide access requests");
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (tx) => {
    const row = await tx
      .selectFrom("access_requests")
      .innerJoin("connections", "connections.id", "access_requests.connection_id")
      .selectAll("access_requests")
      .select("connections.name as connection_name")
      .where("access_requests.org_id", "=", principal.orgId)
      .where("access_requests.id", "=", requestId)
      .executeTakeFirst();
    if (row === undefined) throw new NotFound(`access request ${requestId}`);
    const requester = (await namedPrincipals(tx, principal.orgId, [row.requester])).get(
      row.requester,
    );
    if (requester === undefined) throw new NotFound(`access request ${requestId}`);
    if (row.status !== "pending")
      throw new Conflict(`access request ${requestId} was already ${row.status}`);
    await tx
      .updateTable("access_requests")
      .set({ status: decision, decided_by: context.actor, decided_at: now.toISOString() })
      .where("id", "=", row.id)
      .execute();
    if (decision === "granted") {
      await tx
        .insertInto("connection_grants")
        .values({
          connection_id: row.connection_id,
          principal: row.requester,
          role: "editor",
          created_at: now.toISOString(),
        })
        .onConflict((oc) => oc.columns(["connection_id", "principal", "role"]).doNothing())
        .execute();
    }
    await recordAuditEvent(
      tx,
      context,
      {
        action: `connection.access-request.${decision === "granted" ? "grant" : "decline"}`,
        objectType: "connection",
        objectId: row.connection_name,
        detail: { requester, request: row.id },
      },
      now,
    );
    return toRequest(
      { ...row, status: decision, decided_by: context.actor, decided_at: now.toISOString() },
      row.connection_name,
      requester,
    );
  });
}
