import type { Principal } from "../access/index.js";
import { recordAuditEvent, type RequestContext } from "../audit/index.js";
import {
  createConnection,
  findConnectionById,
  reserveWebIdentitySubjects,
  type CreateConnectionInput,
} from "../connections/index.js";
import { Conflict } from "../errors.js";
import { memberConnectionName } from "./member-template.js";
import { connectionDepsOf, type OrganizationDeps } from "./organization-deps.js";
import { resolveGrants } from "./organization-grants.js";
import { inScope, type OrganizationRecord } from "./organization-record.js";
import { ousBelow } from "./read-organization.js";

export interface ConnectResult {
  created: { accountId: string; connection: string }[];
  skipped: { accountId: string; reason: string }[];
}

function partitionOf(arn: string | null | undefined): string {
  return arn?.split(":")[1] ?? "aws";
}

/**
 * One member connection per account the onboarding covers that has none yet, through the
 * connections feature's own create path (as `principal`, who onboarded): named
 * `<organization>-<account id>`, tagged with its OU path, the onboarding's group ExternalId and
 * the organization's grants. Suspended accounts get none; an account whose connection name is
 * taken by a connection the onboarding did not make is left without one, and says so.
 */
export async function connectMembers(
  deps: OrganizationDeps,
  context: RequestContext,
  principal: Principal,
  organization: OrganizationRecord,
): Promise<ConnectResult> {
  const onboarding = organization.onboarding;
  const result: ConnectResult = { created: [], skipped: [] };
  if (onboarding === null) return result;
  const management = await findConnectionById(deps.db, organization.connectionId).catch(
    () => undefined,
  );
  const hub =
    onboarding.hubConnectionId === null
      ? undefined
      : await findConnectionById(deps.db, onboarding.hubConnectionId).catch(() => undefined);
  const partition = partitionOf(management?.health?.arn);
  if (onboarding.method === "web_identity") {
    // The member role trusts <organization>-<account id>'s subject, and the StackSet puts it in
    // accounts that get no connection (skipped, suspended, joined since): no other connection
    // may take one of these subjects without an org admin's confirmation.
    const everyAccount = await deps.db
      .selectFrom("organization_accounts")
      .select("account_id")
      .where("organization_id", "=", organization.id)
      .execute();
    await reserveWebIdentitySubjects(
      deps.db,
      principal.orgId,
      [organization.managementAccountId, ...everyAccount.map((a) => a.account_id)].map(
        (accountId) => memberConnectionName(organization.name, accountId),
      ),
      { actor: context.actor, now: deps.clock.now() },
    );
  }
  const scope = ousBelow(organization.tree.ous, onboarding.ous);
  const grants = await resolveGrants(deps.db, organization.orgId, organization.grants);
  const rows = await deps.db
    .selectFrom("organization_accounts")
    .selectAll()
    .where("organization_id", "=", organization.id)
    .where("membership", "=", "member")
    .orderBy("account_id")
    .execute();
  for (const row of rows) {
    const account = { accountId: row.account_id, parentId: row.parent_id };
    if (row.account_id === organization.managementAccountId) {
      result.skipped.push({
        accountId: row.account_id,
        reason:
          "the management account: service-managed StackSets never deploy to it; onboard it with the single-stack template",
      });
      continue;
    }
    if (onboarding.skipAccounts.includes(row.account_id)) {
      result.skipped.push({ accountId: row.account_id, reason: "skipped at your request" });
      continue;
    }
    if (!inScope(organization, account, scope) || row.connection_id !== null) continue;
    if (row.state !== "ACTIVE") {
      result.skipped.push({
        accountId: row.account_id,
        reason: `the account is ${row.state}: it gets its connection once it is ACTIVE again`,
      });
      continue;
    }
    const name = memberConnectionName(organization.name, row.account_id);
    const roleArn = `arn:${partition}:iam::${row.account_id}:role/${onboarding.roleName}`;
    const common = {
      name,
      access: onboarding.access,
      regions: onboarding.regions,
      tags: {
        organization: organization.name,
        "ou-path": row.ou_path.slice(0, 256),
        account: row.account_id,
      },
      ...(management?.endpoint == null ? {} : { endpoint: management.endpoint }),
    };
    const input: CreateConnectionInput =
      onboarding.method === "assume_role"
        ? {
            ...common,
            method: "assume_role",
            roleArn,
            ...(hub === undefined ? {} : { sourceConnection: hub.name }),
          }
        : // Its subject was reserved for it above: the onboarding (an org admin) takes it.
          { ...common, method: "web_identity", roleArn, confirmSubjectReuse: true };
    try {
      const connection = await createConnection(connectionDepsOf(deps), context, principal, input, {
        ...(organization.externalIdId === null
          ? {}
          : { groupExternalIdId: organization.externalIdId }),
        grants,
      });
      const now = deps.clock.now();
      await deps.db.transaction().execute(async (tx) => {
        await tx
          .updateTable("organization_accounts")
          .set({ connection_id: connection.id, updated_at: now.toISOString() })
          .where("organization_id", "=", organization.id)
          .where("account_id", "=", row.account_id)
          .execute();
        await recordAuditEvent(
          tx,
          context,
          {
            action: "organization.account.connect",
            objectType: "organization",
            objectId: organization.name,
            detail: { accountId: row.account_id, connection: name, ouPath: row.ou_path },
          },
          now,
        );
      });
      result.created.push({ accountId: row.account_id, connection: name });
    } catch (error) {
      const message =
        error instanceof Conflict
          ? `a connection named ${name} already exists and was not made by this onboarding: rename or delete it, then reconcile`
          : error instanceof Error
            ? error.message
            : String(error);
      const now = deps.clock.now().toISOString();
      await deps.db
        .updateTable("organization_accounts")
        .set({
          last_error: JSON.stringify({
            code: error instanceof Conflict ? "CONNECTION_NAME_TAKEN" : "CONNECTION_NOT_CREATED",
            message,
            fix: "see the message, then reconcile the organization",
          }),
          last_error_at: now,
          updated_at: now,
        })
        .where("organization_id", "=", organization.id)
        .where("account_id", "=", row.account_id)
        .execute();
      result.skipped.push({ accountId: row.account_id, reason: message });
    }
  }
  return result;
}
