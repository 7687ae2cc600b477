import type { DbOrTx } from "../db/index.js";
import { newId } from "../ids.js";
import type { AuditOutcome } from "./audit-event.table.js";
import type { RequestContext } from "../request-types.js";

export interface AuditEventInput {
  action: string;
  objectType?: string;
  objectId?: string;
  outcome?: AuditOutcome;
  detail?: Record<string, unknown>;
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
    .values({
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
    })
    .execute();
}
