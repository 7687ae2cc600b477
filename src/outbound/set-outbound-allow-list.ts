import { recordAuditEvent, type RequestContext } from "../audit/index.js";
import type { Clock } from "../clock.js";
import type { Db } from "../db/index.js";
import { Invalid } from "../errors.js";
import { normalizePattern, parseAllowPattern, PatternError } from "./allow-pattern.js";
import { readOutboundSettings } from "./read-outbound-settings.js";
import type { OutboundSettings, PutOutboundSettingsInput } from "./schemas.js";

export interface SetAllowListDeps {
  db: Db;
  clock: Clock;
  /** Called after the change commits, so cached lists and pooled sockets follow it. */
  allowListChanged(orgId: string): void;
}

/** Replaces the org's allow-list and audits the change (before and after) in the same transaction. */
export async function setOutboundAllowList(
  deps: SetAllowListDeps,
  context: RequestContext,
  input: PutOutboundSettingsInput,
): Promise<OutboundSettings> {
  const allow: string[] = [];
  input.allow.forEach((pattern, index) => {
    try {
      parseAllowPattern(pattern);
    } catch (error) {
      if (!(error instanceof PatternError)) throw error;
      throw new Invalid(`allow.${index}: ${error.message}`, { field: `allow.${index}` });
    }
    const normalized = normalizePattern(pattern);
    if (!allow.includes(normalized)) allow.push(normalized);
  });
  const now = deps.clock.now();
  const result = await deps.db.transaction().execute(async (tx) => {
    const before = await readOutboundSettings(tx, context.orgId);
    const row = {
      org_id: context.orgId,
      patterns: JSON.stringify(allow),
      updated_at: now.toISOString(),
      updated_by: context.actor,
    };
    await tx
      .insertInto("outbound_allow_lists")
      .values(row)
      .onConflict((oc) =>
        oc.column("org_id").doUpdateSet({
          patterns: row.patterns,
          updated_at: row.updated_at,
          updated_by: row.updated_by,
        }),
      )
      .execute();
    await recordAuditEvent(
      tx,
      context,
      {
        action: "settings.outbound.update",
        objectType: "settings",
        objectId: "outbound",
        detail: { before: before.allow, after: allow },
      },
      now,
    );
    return { allow, isDefault: false, updatedAt: row.updated_at, updatedBy: row.updated_by };
  });
  deps.allowListChanged(context.orgId);
  return result;
}
