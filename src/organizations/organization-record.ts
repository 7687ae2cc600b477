import type { Principal } from "../access/index.js";
import type { DbOrTx } from "../db/index.js";
import { NotFound } from "../errors.js";
import { resolveGrants, type StoredGrant } from "./organization-grants.js";
import type { OrganizationAccountTable, OrganizationTable } from "./organization.table.js";
import type {
  Deployment,
  ExplainedError,
  Ledger,
  Organization,
  OrganizationAccount,
  OnboardingView,
  OuNode,
  SyncStatus,
} from "./schemas.js";

/** The onboarding as stored: the hub connection by id, so renames do not break it. */
export interface StoredOnboarding extends Omit<OnboardingView, "hubConnection"> {
  hubConnectionId: string | null;
  /**
   * assume_role: the hub's principal ARN when onboarded, which the member roles' trust policy
   * names. Never read from the hub again: an editor of the hub could re-point it at their own
   * identity, and the next template would trust them.
   */
  hubPrincipalArn: string | null;
}

export interface OrganizationRecord {
  id: string;
  orgId: string;
  name: string;
  connectionId: string;
  callAs: "SELF" | "DELEGATED_ADMIN";
  awsOrganizationId: string;
  managementAccountId: string;
  tree: { rootId: string; ous: OuNode[] };
  /** As stored: teams by id (see organization-grants.ts); `resolveGrants` gives their names. */
  grants: StoredGrant[];
  onboarding: StoredOnboarding | null;
  externalIdId: string | null;
  deployment: Deployment | null;
  lastSync: SyncStatus | null;
  onboardedBy: string | null;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
}

function parse<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

export function toOrganizationRecord(row: OrganizationTable): OrganizationRecord {
  return {
    id: row.id,
    orgId: row.org_id,
    name: row.name,
    connectionId: row.connection_id,
    callAs: row.call_as,
    awsOrganizationId: row.aws_organization_id,
    managementAccountId: row.management_account_id,
    tree: JSON.parse(row.tree) as OrganizationRecord["tree"],
    grants: JSON.parse(row.grants) as StoredGrant[],
    onboarding: parse<StoredOnboarding>(row.onboarding),
    externalIdId: row.external_id_id,
    deployment: parse<Deployment>(row.deployment),
    lastSync: parse<SyncStatus>(row.last_sync),
    onboardedBy: row.onboarded_by,
    createdAt: row.created_at,
    createdBy: row.created_by,
    updatedAt: row.updated_at,
  };
}

export async function findOrganization(
  db: DbOrTx,
  principal: Pick<Principal, "orgId">,
  name: string,
): Promise<OrganizationRecord> {
  const row = await db
    .selectFrom("organizations")
    .selectAll()
    .where("org_id", "=", principal.orgId)
    .where("name", "=", name)
    .executeTakeFirst();
  if (row === undefined) throw new NotFound(`organization ${name}`);
  return toOrganizationRecord(row);
}

export async function findOrganizationById(
  db: DbOrTx,
  id: string,
): Promise<OrganizationRecord | undefined> {
  const row = await db
    .selectFrom("organizations")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirst();
  return row === undefined ? undefined : toOrganizationRecord(row);
}

async function connectionNames(db: DbOrTx, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom("connections")
    .select(["id", "name"])
    .where("id", "in", ids)
    .execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

export async function presentOrganization(
  db: DbOrTx,
  organization: OrganizationRecord,
): Promise<Organization> {
  const names = await connectionNames(
    db,
    [organization.connectionId, organization.onboarding?.hubConnectionId ?? null].filter(
      (id): id is string => id !== null,
    ),
  );
  const onboarding = organization.onboarding;
  let onboardingView: OnboardingView | null = null;
  if (onboarding !== null) {
    const { hubConnectionId, hubPrincipalArn: _hub, ...rest } = onboarding;
    onboardingView = {
      ...rest,
      hubConnection: hubConnectionId === null ? null : (names.get(hubConnectionId) ?? null),
    };
  }
  return {
    name: organization.name,
    connection: names.get(organization.connectionId) ?? null,
    callAs: organization.callAs,
    awsOrganizationId: organization.awsOrganizationId,
    managementAccountId: organization.managementAccountId,
    grants: await resolveGrants(db, organization.orgId, organization.grants),
    onboarding: onboardingView,
    deployment: organization.deployment,
    lastSync: organization.lastSync,
    createdAt: organization.createdAt,
    createdBy: organization.createdBy,
    updatedAt: organization.updatedAt,
  };
}

/** Whether an account is one the onboarding covers: in a chosen OU (or below), not skipped. */
export function inScope(
  organization: OrganizationRecord,
  account: { accountId: string; parentId: string },
  scopeOus: Set<string>,
): boolean {
  const o = organization.onboarding;
  return (
    o !== null &&
    account.accountId !== organization.managementAccountId &&
    scopeOus.has(account.parentId) &&
    !o.skipAccounts.includes(account.accountId)
  );
}

export function ledgerOf(row: OrganizationAccountTable): Ledger {
  return {
    assumable: row.assumable === null ? null : row.assumable === 1,
    suspended: row.state === "SUSPENDED",
    blockedRegions: JSON.parse(row.blocked_regions) as Ledger["blockedRegions"],
    lastError: parse<ExplainedError>(row.last_error),
    lastErrorAt: row.last_error_at,
    checkedAt: row.checked_at,
  };
}

export async function presentAccounts(
  db: DbOrTx,
  organization: OrganizationRecord,
  rows: OrganizationAccountTable[],
  scopeOus: Set<string>,
): Promise<OrganizationAccount[]> {
  const names = await connectionNames(
    db,
    rows.flatMap((r) => (r.connection_id === null ? [] : [r.connection_id])),
  );
  return rows.map((row) => ({
    accountId: row.account_id,
    name: row.name,
    email: row.email,
    state: row.state,
    membership: row.membership,
    parentId: row.parent_id,
    ouPath: row.ou_path,
    management: row.account_id === organization.managementAccountId,
    connection: row.connection_id === null ? null : (names.get(row.connection_id) ?? null),
    inScope: inScope(
      organization,
      { accountId: row.account_id, parentId: row.parent_id },
      scopeOus,
    ),
    ledger: ledgerOf(row),
    stackInstance: { status: row.stack_status, reason: row.stack_reason },
    firstSeenAt: row.first_seen_at,
    leftAt: row.left_at,
  }));
}
