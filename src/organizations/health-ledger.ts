import type { DbOrTx } from "../db/index.js";
import type { ExplainedError } from "./schemas.js";

/** Why the ledger says an account cannot be reached, for a fan-out to skip it and say so. */
export interface Unreachable {
  accountId: string;
  message: string;
}

/**
 * The member connections among `connectionIds` whose account the health ledger knows is
 * unreachable: it left the organization, is not ACTIVE (suspended, closing), or its role could
 * not be assumed at the last reconcile.
 */
export async function unreachableConnections(
  db: DbOrTx,
  connectionIds: string[],
): Promise<Map<string, Unreachable>> {
  const found = new Map<string, Unreachable>();
  if (connectionIds.length === 0) return found;
  const rows = await db
    .selectFrom("organization_accounts")
    .innerJoin("organizations", "organizations.id", "organization_accounts.organization_id")
    .select([
      "organization_accounts.connection_id",
      "organization_accounts.account_id",
      "organization_accounts.membership",
      "organization_accounts.state",
      "organization_accounts.assumable",
      "organization_accounts.last_error",
      "organization_accounts.checked_at",
      "organizations.name as organization",
    ])
    .where("organization_accounts.connection_id", "in", connectionIds)
    .where((eb) =>
      eb.or([
        eb("organization_accounts.membership", "=", "left"),
        eb("organization_accounts.state", "!=", "ACTIVE"),
        eb("organization_accounts.assumable", "=", 0),
      ]),
    )
    .execute();
  for (const row of rows) {
    if (row.connection_id === null) continue;
    const account = `account ${row.account_id} of organization ${row.organization}`;
    let message: string;
    if (row.membership === "left") message = `${account} left the organization`;
    else if (row.state !== "ACTIVE") message = `${account} is ${row.state}`;
    else {
      const error = row.last_error === null ? null : (JSON.parse(row.last_error) as ExplainedError);
      message = `${account}: its role could not be assumed at the last reconcile (${row.checked_at ?? "-"})${error === null ? "" : `: ${error.code}: ${error.message}`}`;
    }
    found.set(row.connection_id, { accountId: row.account_id, message });
  }
  return found;
}
