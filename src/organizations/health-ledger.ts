import type { DbOrTx } from "../db/index.js";
import type { BlockedRegion, ExplainedError } from "./schemas.js";

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

/** What the health ledger says of one account, as the diagram shows it. */
export interface AccountHealth {
  reachable: boolean;
  suspended: boolean;
  blockedRegions: { region: string; reason: string }[];
  lastError: { code: string; message: string } | null;
  checkedAt: string | null;
}

/**
 * The ledger's health of each of `accountIds` that is an account of an onboarded organization
 * of the org (one query); an account of none is absent from the map.
 */
export async function accountHealth(
  db: DbOrTx,
  orgId: string,
  accountIds: string[],
): Promise<Map<string, AccountHealth>> {
  const found = new Map<string, AccountHealth>();
  if (accountIds.length === 0) return found;
  const rows = await db
    .selectFrom("organization_accounts")
    .innerJoin("organizations", "organizations.id", "organization_accounts.organization_id")
    .select([
      "organization_accounts.account_id",
      "organization_accounts.membership",
      "organization_accounts.state",
      "organization_accounts.assumable",
      "organization_accounts.blocked_regions",
      "organization_accounts.last_error",
      "organization_accounts.checked_at",
    ])
    .where("organizations.org_id", "=", orgId)
    .where("organizations.onboarding", "is not", null)
    .where("organization_accounts.account_id", "in", accountIds)
    // A member row wins over one of an organization the account has left.
    .orderBy("organization_accounts.membership", "desc")
    .execute();
  for (const row of rows) {
    if (found.has(row.account_id)) continue;
    const error = row.last_error === null ? null : (JSON.parse(row.last_error) as ExplainedError);
    found.set(row.account_id, {
      reachable: row.membership === "member" && row.state === "ACTIVE" && row.assumable !== 0,
      suspended: row.state === "SUSPENDED",
      blockedRegions: JSON.parse(row.blocked_regions) as { region: string; reason: string }[],
      lastError: error === null ? null : { code: error.code, message: error.message },
      checkedAt: row.checked_at,
    });
  }
  return found;
}

/** A region the ledger knows an account cannot use, for a fan-out to skip it and say why. */
export interface BlockedIn {
  accountId: string;
  region: string;
  message: string;
}

/**
 * Per account among `accountIds` that is a member of an onboarded organization of the org, the
 * regions its ledger marks blocked at the last reconcile (opt-in not enabled, or denied by a
 * service control policy), each with the words a skipped target shows.
 */
export async function blockedRegions(
  db: DbOrTx,
  orgId: string,
  accountIds: string[],
): Promise<Map<string, Map<string, BlockedIn>>> {
  const found = new Map<string, Map<string, BlockedIn>>();
  if (accountIds.length === 0) return found;
  const rows = await db
    .selectFrom("organization_accounts")
    .innerJoin("organizations", "organizations.id", "organization_accounts.organization_id")
    .select([
      "organization_accounts.account_id",
      "organization_accounts.blocked_regions",
      "organization_accounts.checked_at",
      "organizations.name as organization",
    ])
    .where("organizations.org_id", "=", orgId)
    .where("organization_accounts.membership", "=", "member")
    .where("organization_accounts.account_id", "in", [...new Set(accountIds)])
    .where("organization_accounts.blocked_regions", "!=", "[]")
    .execute();
  for (const row of rows) {
    const regions = found.get(row.account_id) ?? new Map<string, BlockedIn>();
    for (const b of JSON.parse(row.blocked_regions) as BlockedRegion[]) {
      const seen = b.seenAt ?? row.checked_at ?? "-";
      const why =
        b.reason === "scp"
          ? `a service control policy denies the member role there${b.message === undefined ? "" : ` (${b.message})`}`
          : "it is an opt-in region the account has not enabled";
      regions.set(b.region, {
        accountId: row.account_id,
        region: b.region,
        message: `account ${row.account_id} of organization ${row.organization} cannot use ${b.region}: ${why}; seen by the reconcile at ${seen}`,
      });
    }
    found.set(row.account_id, regions);
  }
  return found;
}
