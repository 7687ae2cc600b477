import type { DbOrTx } from "../db/index.js";
import type { AwsAccount } from "./read-organization.js";

/** How the accounts changed against what was stored. */
export interface AccountChanges {
  joined: string[];
  left: string[];
  suspended: string[];
  /** Every account that changed state (suspended ones too), with its new state. */
  stateChanged: { accountId: string; from: string; to: string }[];
}

/**
 * Stores the accounts the organization lists now: new ones are added, moved or renamed ones
 * updated, and those it no longer lists are marked as having left (never deleted).
 */
export async function upsertAccounts(
  db: DbOrTx,
  organizationId: string,
  accounts: AwsAccount[],
  now: Date,
): Promise<AccountChanges> {
  const at = now.toISOString();
  const stored = await db
    .selectFrom("organization_accounts")
    .select(["account_id", "state", "membership"])
    .where("organization_id", "=", organizationId)
    .execute();
  const before = new Map(stored.map((r) => [r.account_id, r]));
  const changes: AccountChanges = { joined: [], left: [], suspended: [], stateChanged: [] };
  for (const account of accounts) {
    const previous = before.get(account.id);
    const values = {
      name: account.name,
      email: account.email,
      state: account.state,
      membership: "member" as const,
      parent_id: account.parentId,
      ou_path: account.path,
      left_at: null,
      updated_at: at,
    };
    if (previous === undefined) {
      changes.joined.push(account.id);
      await db
        .insertInto("organization_accounts")
        .values({
          organization_id: organizationId,
          account_id: account.id,
          ...values,
          connection_id: null,
          assumable: null,
          blocked_regions: "[]",
          last_error: null,
          last_error_at: null,
          checked_at: null,
          stack_status: null,
          stack_reason: null,
          first_seen_at: at,
        })
        .execute();
      if (account.state === "SUSPENDED") changes.suspended.push(account.id);
      continue;
    }
    if (previous.membership === "left") changes.joined.push(account.id);
    if (previous.state !== account.state) {
      changes.stateChanged.push({ accountId: account.id, from: previous.state, to: account.state });
      if (account.state === "SUSPENDED") changes.suspended.push(account.id);
    }
    await db
      .updateTable("organization_accounts")
      .set(values)
      .where("organization_id", "=", organizationId)
      .where("account_id", "=", account.id)
      .execute();
  }
  const listed = new Set(accounts.map((a) => a.id));
  for (const row of stored) {
    if (row.membership === "left" || listed.has(row.account_id)) continue;
    changes.left.push(row.account_id);
    await db
      .updateTable("organization_accounts")
      .set({ membership: "left", left_at: at, updated_at: at })
      .where("organization_id", "=", organizationId)
      .where("account_id", "=", row.account_id)
      .execute();
  }
  return changes;
}
