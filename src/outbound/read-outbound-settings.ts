import type { DbOrTx } from "../db/index.js";
import { DEFAULT_ALLOW_LIST, type OutboundSettings } from "./schemas.js";

/** The org's allow-list as stored, or the defaults when it was never changed. */
export async function readOutboundSettings(db: DbOrTx, orgId: string): Promise<OutboundSettings> {
  const row = await db
    .selectFrom("outbound_allow_lists")
    .selectAll()
    .where("org_id", "=", orgId)
    .executeTakeFirst();
  if (row === undefined)
    return { allow: [...DEFAULT_ALLOW_LIST], isDefault: true, updatedAt: null, updatedBy: null };
  return {
    allow: JSON.parse(row.patterns) as string[],
    isDefault: false,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}
