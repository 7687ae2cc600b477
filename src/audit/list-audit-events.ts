import { sql } from "kysely";
import type { DbOrTx } from "../db/index.js";
import type { AuditQuery, AuditEvent } from "./schemas.js";

export interface AuditPageRequest extends Omit<AuditQuery, "cursor"> {
  /** Newest first: events with ids below this one. */
  beforeId?: string;
}

export async function listAuditEvents(
  db: DbOrTx,
  orgId: string,
  query: AuditPageRequest,
): Promise<AuditEvent[]> {
  let q = db.selectFrom("audit_events").selectAll().where("org_id", "=", orgId);
  if (query.beforeId !== undefined) q = q.where("id", "<", query.beforeId);
  if (query.actor !== undefined) q = q.where("actor", "=", query.actor);
  if (query.action !== undefined) {
    const prefix = query.action.slice(0, -1);
    // A prefix match without LIKE, whose escaping differs between SQLite and PostgreSQL.
    q = query.action.endsWith("*")
      ? q.where(sql<string>`substr(action, 1, ${prefix.length})`, "=", prefix)
      : q.where("action", "=", query.action);
  }
  if (query.objectType !== undefined) q = q.where("object_type", "=", query.objectType);
  if (query.objectId !== undefined) q = q.where("object_id", "=", query.objectId);
  if (query.outcome !== undefined) q = q.where("outcome", "=", query.outcome);
  if (query.since !== undefined)
    q = q.where("created_at", ">=", new Date(query.since).toISOString());
  if (query.until !== undefined)
    q = q.where("created_at", "<", new Date(query.until).toISOString());
  const rows = await q
    .orderBy("id", "desc")
    .limit(query.limit + 1)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    actor: r.actor,
    action: r.action,
    objectType: r.object_type,
    objectId: r.object_id,
    outcome: r.outcome,
    sourceIp: r.source_ip,
    requestId: r.request_id,
    detail: r.detail === null ? null : (JSON.parse(r.detail) as Record<string, unknown>),
    createdAt: r.created_at,
  }));
}
