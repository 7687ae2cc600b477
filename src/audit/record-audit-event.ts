import type { DbOrTx } from "../db/index.js";
import { newId } from "../ids.js";
import type { AuditEventTable, AuditOutcome } from "./audit-event.table.js";
import type { RequestContext } from "../request-types.js";

export interface AuditEventInput {
  action: string;
  objectType?: string;
  objectId?: string;
  outcome?: AuditOutcome;
  detail?: Record<string, unknown>;
}

/**
 * The row one audit event is stored as: for a caller that writes it in the same statement as the
 * change it records (recordAuditEvent otherwise).
 */
export function auditEventRow(
  context: RequestContext,
  event: AuditEventInput,
  now: Date = new Date(),
): AuditEventTable {
  return {
    id: newId(now.getTime()),
    org_id: context.orgId,
    actor: context.actor,
    action: event.action,
    object_type: event.objectType ?? null,
    object_id: event.objectId ?? null,
    outcome: event.outcome ?? "success",
    source_ip: context.sourceIp,
    request_id: context.requestId,
    detail: event.detail === undefined ? null : JSON.stringify(event.detail),
    created_at: now.toISOString(),
  };
}

/**
 * Appends one audit event. Call it inside the transaction of the change it records,
 * so the change and its record commit together. The code never updates or deletes events.
 */
export async function recordAuditEvent(
  db: DbOrTx,
  context: RequestContext,
  event: AuditEventInput,
  now: Date = new Date(),
): Promise<void> {
  await db
    .insertInto("audit_events")
    .values(auditEventRow(context, event, now))
    .execute();
}
