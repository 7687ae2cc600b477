import type { Principal } from "../access/index.js";
import { recordAuditEvent, type RequestContext } from "../audit/index.js";
import {
  findConnectionById,
  testConnection,
  type Actor,
  type ConnectionRecord,
} from "../connections/index.js";
import type { DbOrTx } from "../db/index.js";
import { organizationClients } from "./aws-clients.js";
import { connectMembers } from "./connect-members.js";
import { explainOrganizationError } from "./explain-organization-error.js";
import type { OrganizationDeps } from "./organization-deps.js";
import { findOrganizationById, type OrganizationRecord } from "./organization-record.js";
import { scpBlockedRegions } from "./probe-regions.js";
import { readOrganization } from "./read-organization.js";
import type { ExplainedError, Ledger, SyncStatus } from "./schemas.js";
import { refreshStackInstances } from "./stack-instances.js";
import { upsertAccounts } from "./upsert-accounts.js";

/** Member connections tested at once: each test is one AssumeRole and two calls. */
const TEST_CONCURRENCY = 16;

/** The user whose rights the reconcile creates connections with: the one who onboarded. */
async function onboardingPrincipal(
  db: DbOrTx,
  organization: OrganizationRecord,
): Promise<Principal | null> {
  if (organization.onboardedBy === null) return null;
  const row = await db
    .selectFrom("users")
    .innerJoin("orgs", "orgs.id", "users.org_id")
    .select(["users.id", "users.name", "users.role", "orgs.name as org_name"])
    .where("users.id", "=", organization.onboardedBy)
    .where("users.org_id", "=", organization.orgId)
    .executeTakeFirst();
  if (row === undefined) return null;
  return {
    orgId: organization.orgId,
    orgName: row.org_name,
    userId: row.id,
    userName: row.name,
    role: row.role,
    via: "run",
  };
}

async function orgNameOf(db: DbOrTx, orgId: string): Promise<string> {
  const row = await db.selectFrom("orgs").select("name").where("id", "=", orgId).executeTakeFirst();
  return row?.name ?? "";
}

async function saveSync(db: DbOrTx, organizationId: string, sync: SyncStatus): Promise<void> {
  await db
    .updateTable("organizations")
    .set({ last_sync: JSON.stringify(sync) })
    .where("id", "=", organizationId)
    .execute();
}

async function inPool<T>(items: T[], size: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(size, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await run(item);
    }
  });
  await Promise.all(lanes);
}

/**
 * Keeps the organization and its member connections in step, as a job on the engine's queue:
 * reads the organization again (accounts that joined, left, moved or were suspended; never
 * deletes one), creates the connections of accounts that joined the onboarded OUs (their role
 * comes by the StackSet's automatic deployment), reads the StackSet's stack instances, then tests
 * every active member connection and writes each account's health ledger (regions blocked: opt-in
 * not enabled, or denied by an SCP, probed once the organization has SCPs enabled). Every change
 * is audited.
 */
export async function reconcileOrganization(
  deps: OrganizationDeps,
  organizationId: string,
): Promise<SyncStatus | undefined> {
  const organization = await findOrganizationById(deps.db, organizationId);
  if (organization === undefined) return undefined;
  const startedAt = deps.clock.now().toISOString();
  await saveSync(deps.db, organization.id, {
    status: "running",
    startedAt,
    finishedAt: null,
    error: null,
    changes: organization.lastSync?.changes ?? null,
  });
  const failed = async (error: ExplainedError): Promise<SyncStatus> => {
    const sync: SyncStatus = {
      status: "failed",
      startedAt,
      finishedAt: deps.clock.now().toISOString(),
      error,
      changes: null,
    };
    await saveSync(deps.db, organization.id, sync);
    return sync;
  };
  const management = await findConnectionById(deps.db, organization.connectionId).catch(
    () => undefined,
  );
  if (management === undefined) {
    return failed({
      code: "CONNECTION_DELETED",
      message: `the connection organization ${organization.name} was read with was deleted`,
      fix: "create the organization again from a connection into its management account",
    });
  }
  const principal = await onboardingPrincipal(deps.db, organization);
  const context: RequestContext = {
    orgId: organization.orgId,
    actor: "reconcile",
    sourceIp: null,
    requestId: null,
  };
  const actor: Actor = {
    orgId: organization.orgId,
    orgName: principal?.orgName ?? (await orgNameOf(deps.db, organization.orgId)),
    userName: principal?.userName ?? "reconcile",
    requestId: `reconcile-${organization.id}`,
    sourceIp: null,
  };
  const clients = organizationClients(deps, management, actor);
  const explain = (error: unknown) =>
    explainOrganizationError(error, {
      callAs: organization.callAs,
      connectionName: management.name,
      accountId: management.accountId,
      managementAccountId: organization.managementAccountId,
    });
  let snapshot;
  try {
    snapshot = await readOrganization(clients.organizations);
  } catch (error) {
    return failed(explain(error));
  }
  // The management connection may have been re-pointed into another organization since: taking
  // that one's accounts in would give them this organization's grants and member connections.
  if (
    snapshot.organizationId !== organization.awsOrganizationId ||
    snapshot.managementAccountId !== organization.managementAccountId
  ) {
    return failed({
      code: "ORGANIZATION_CHANGED",
      message: `connection ${management.name} now reads organization ${snapshot.organizationId} (management account ${snapshot.managementAccountId}), not ${organization.awsOrganizationId} (management account ${organization.managementAccountId}) that ${organization.name} was created from. Nothing was changed`,
      fix: `point connection ${management.name} back into the management account ${organization.managementAccountId} (or a delegated administrator of ${organization.awsOrganizationId}), or create a new organization from the connection that reads ${snapshot.organizationId}`,
    });
  }
  const now = deps.clock.now();
  const changes = await deps.db.transaction().execute(async (tx) => {
    await tx
      .updateTable("organizations")
      .set({
        tree: JSON.stringify({ rootId: snapshot.rootId, ous: snapshot.ous }),
        updated_at: now.toISOString(),
      })
      .where("id", "=", organization.id)
      .execute();
    const found = await upsertAccounts(tx, organization.id, snapshot.accounts, now);
    const audit = (action: string, detail: Record<string, unknown>) =>
      recordAuditEvent(
        tx,
        context,
        { action, objectType: "organization", objectId: organization.name, detail },
        now,
      );
    for (const accountId of found.joined) await audit("organization.account.join", { accountId });
    for (const accountId of found.left) await audit("organization.account.leave", { accountId });
    for (const change of found.stateChanged)
      await audit("organization.account.state", { ...change });
    return found;
  });
  const refreshed = (await findOrganizationById(deps.db, organization.id)) ?? organization;
  const connected =
    principal === null
      ? { created: [], skipped: [] }
      : await connectMembers(deps, context, principal, refreshed);
  if (refreshed.deployment !== null) {
    await refreshStackInstances(
      deps.db,
      clients.cloudFormation(refreshed.deployment.region),
      refreshed.id,
      refreshed.deployment.stackSetName,
      refreshed.callAs,
      deps.clock.now(),
    ).catch((error: unknown) =>
      deps.logger.warn(
        { err: error, organization: refreshed.name },
        "could not read the StackSet's stack instances",
      ),
    );
  }
  const counts = await testMembers(deps, context, actor, refreshed, snapshot.scpEnabled);
  const sync: SyncStatus = {
    status: "succeeded",
    startedAt,
    finishedAt: deps.clock.now().toISOString(),
    error: null,
    changes: {
      joined: changes.joined,
      left: changes.left,
      suspended: changes.suspended,
      connected: connected.created.map((c) => c.connection),
      ...counts,
    },
  };
  await saveSync(deps.db, organization.id, sync);
  return sync;
}

/**
 * The fix of a member connection's failed test, with what the organization knows: an account
 * without the StackSet's instance has no member role at all.
 */
function memberFix(
  organization: OrganizationRecord,
  row: { account_id: string; ou_path: string; stack_status: string | null },
  fix: string,
): string {
  const deployment = organization.deployment;
  if (deployment === null || (row.stack_status !== null && row.stack_status !== "FAILED"))
    return fix;
  const where =
    row.stack_status === null
      ? `has no instance in account ${row.account_id} (in ${row.ou_path})`
      : `failed in account ${row.account_id}`;
  return `the member role is likely missing: the StackSet ${deployment.stackSetName} ${where}; move the account into an onboarded OU or deploy again, then reconcile. Otherwise: ${fix}`;
}

/** Tests each active member's connection and writes its ledger; a change of reachability is audited. */
async function testMembers(
  deps: OrganizationDeps,
  context: RequestContext,
  actor: Actor,
  organization: OrganizationRecord,
  scpEnabled: boolean,
): Promise<{ reachable: number; unreachable: number }> {
  const rows = await deps.db
    .selectFrom("organization_accounts")
    .selectAll()
    .where("organization_id", "=", organization.id)
    .where("membership", "=", "member")
    .where("state", "=", "ACTIVE")
    .where("connection_id", "is not", null)
    .execute();
  const wanted = organization.onboarding?.regions ?? [];
  let reachable = 0;
  let unreachable = 0;
  await inPool(rows, TEST_CONCURRENCY, async (row) => {
    let connection: ConnectionRecord;
    try {
      connection = await findConnectionById(deps.db, row.connection_id ?? "");
    } catch {
      unreachable += 1;
      return;
    }
    const result = await testConnection(deps.credentials, context, connection, actor);
    const optIn: Ledger["blockedRegions"] = result.ok
      ? wanted
          .filter((region) => result.regions.length > 0 && !result.regions.includes(region))
          .map((region) => ({ region, reason: "opt_in" as const, seenAt: result.checkedAt }))
      : [];
    // The regions the account has enabled are probed for an SCP that denies the member role
    // there, once the organization has SCPs enabled (before, none can deny: no call is spent).
    const scp =
      result.ok && scpEnabled
        ? await scpBlockedRegions(
            deps,
            connection,
            actor,
            wanted.filter((region) => !optIn.some((b) => b.region === region)),
          )
        : [];
    const blocked = [...optIn, ...scp];
    const now = deps.clock.now().toISOString();
    const lastError =
      result.error === null
        ? null
        : {
            code: result.error.code,
            message: result.error.message,
            fix: memberFix(organization, row, result.error.fix),
          };
    if (result.ok) reachable += 1;
    else unreachable += 1;
    await deps.db.transaction().execute(async (tx) => {
      await tx
        .updateTable("organization_accounts")
        .set({
          assumable: result.ok ? 1 : 0,
          blocked_regions: JSON.stringify(blocked),
          checked_at: result.checkedAt,
          ...(lastError === null
            ? {}
            : { last_error: JSON.stringify(lastError), last_error_at: result.checkedAt }),
          updated_at: now,
        })
        .where("organization_id", "=", organization.id)
        .where("account_id", "=", row.account_id)
        .execute();
      const regionsOf = (list: Ledger["blockedRegions"]) =>
        list
          .map((b) => `${b.region}:${b.reason}`)
          .sort()
          .join(",");
      const before = JSON.parse(row.blocked_regions) as Ledger["blockedRegions"];
      if (result.ok && regionsOf(before) !== regionsOf(blocked)) {
        await recordAuditEvent(tx, context, {
          action: "organization.account.regions",
          objectType: "organization",
          objectId: organization.name,
          detail: {
            accountId: row.account_id,
            blockedRegions: blocked.map((b) => ({ region: b.region, reason: b.reason })),
          },
        });
      }
      const was = row.assumable === null ? null : row.assumable === 1;
      if (was !== result.ok) {
        await recordAuditEvent(tx, context, {
          action: "organization.account.health",
          objectType: "organization",
          objectId: organization.name,
          outcome: result.ok ? "success" : "failure",
          detail: {
            accountId: row.account_id,
            assumable: result.ok,
            ...(lastError === null ? {} : { error: lastError.code }),
          },
        });
      }
    });
  });
  return { reachable, unreachable };
}
