import { CronExpressionParser } from "cron-parser";
import type { Principal } from "../access/index.js";
import { recordAuditEvent, type RequestContext } from "../audit/index.js";
import { issueGroupExternalId, principalArnOf, visibleConnection } from "../connections/index.js";
import { cronProblem } from "../cron-problem.js";
import { Conflict, Forbidden, Invalid } from "../errors.js";
import { connectMembers, type ConnectResult } from "./connect-members.js";
import type { OrganizationDeps } from "./organization-deps.js";
import {
  findOrganization,
  findOrganizationById,
  type OrganizationRecord,
  type StoredOnboarding,
} from "./organization-record.js";
import { memberConnectionName } from "./member-template.js";
import { scheduleReconcile } from "./organization-jobs.js";
import { ousBelow } from "./read-organization.js";
import type { OnboardingInput } from "./schemas.js";

export interface OnboardResult extends ConnectResult {
  organization: OrganizationRecord;
  notes: string[];
}

function assertSchedule(cron: string): void {
  try {
    // Minute resolution and plain fields, as the inventory's schedules: no seconds field, and no
    // cron-parser `H`, a random value drawn again at every scheduler pass.
    const problem = cronProblem(cron);
    if (problem !== undefined) throw new Error(problem);
    CronExpressionParser.parse(cron, { tz: "UTC", currentDate: new Date() }).next();
  } catch (error) {
    throw new Invalid(
      `reconcileSchedule: ${error instanceof Error ? error.message : "not a cron expression"}`,
      { field: "reconcileSchedule" },
    );
  }
}

/**
 * Refuses the onboarding, before anything is created, when a connection already has the name a
 * member connection would get: the onboarding did not make it (nothing was onboarded yet), and
 * the member role trusts that name (web_identity: it is the token's subject) or the reconcile
 * would treat it as the account's. Every account the chosen OUs cover counts, suspended ones too
 * (they get their connection once ACTIVE); skipped accounts and the management account do not.
 */
async function refuseTakenNames(
  deps: OrganizationDeps,
  principal: Principal,
  organization: OrganizationRecord,
  input: OnboardingInput,
): Promise<void> {
  const scope = ousBelow(organization.tree.ous, input.ous);
  const accounts = await deps.db
    .selectFrom("organization_accounts")
    .select(["account_id", "parent_id"])
    .where("organization_id", "=", organization.id)
    .where("membership", "=", "member")
    .execute();
  const names = new Map(
    accounts
      .filter(
        (a) =>
          a.account_id !== organization.managementAccountId &&
          scope.has(a.parent_id) &&
          !input.skipAccounts.includes(a.account_id),
      )
      .map((a) => [memberConnectionName(organization.name, a.account_id), a.account_id]),
  );
  if (names.size === 0) return;
  const taken = await deps.db
    .selectFrom("connections")
    .select("name")
    .where("org_id", "=", principal.orgId)
    .where("name", "in", [...names.keys()])
    .orderBy("name")
    .execute();
  if (taken.length === 0) return;
  const listed = taken
    .slice(0, 5)
    .map((c) => `account ${names.get(c.name) ?? ""} → connection ${c.name}`)
    .join(", ");
  throw new Conflict(
    `a connection already has the name of a member connection and was not created by this organization's onboarding (${listed}${taken.length > 5 ? `, and ${taken.length - 5} more` : ""}): rename or delete it, or skip its account (skipAccounts), then onboard again. Nothing was created`,
    { field: "skipAccounts" },
  );
}

/**
 * Onboards the accounts of the chosen OUs: stores the choice (with, for assume_role, one
 * ExternalId generated for this onboarding, which every member role trusts), creates one member
 * connection per account, and schedules the reconcile that keeps them in step.
 */
export async function onboardOrganization(
  deps: OrganizationDeps,
  context: RequestContext,
  principal: Principal,
  name: string,
  input: OnboardingInput,
): Promise<OnboardResult> {
  const organization = await findOrganization(deps.db, principal, name);
  if (organization.onboarding !== null) {
    throw new Conflict(
      `organization ${name} is onboarded already (${organization.onboarding.onboardedAt}): its member connections are kept in step by the reconcile`,
    );
  }
  const known = new Set(organization.tree.ous.map((ou) => ou.id));
  for (const [i, ou] of input.ous.entries()) {
    if (!known.has(ou))
      throw new Invalid(`${ou} is not an OU (or the root) of organization ${name}`, {
        field: `ous.${i}`,
      });
  }
  assertSchedule(input.reconcileSchedule);
  let hubConnectionId: string | null = null;
  let hubPrincipalArn: string | null = null;
  if (input.method === "assume_role") {
    if (input.hubConnection === undefined)
      throw new Invalid(
        "assume_role needs hubConnection: the connection that assumes every member role",
        {
          field: "hubConnection",
        },
      );
    const { connection: hub, roles } = await visibleConnection(
      deps.db,
      principal,
      input.hubConnection,
    ).catch(() => {
      throw new Invalid(`connection ${input.hubConnection ?? ""} was not found`, {
        field: "hubConnection",
      });
    });
    if (!roles.includes("executor"))
      throw new Forbidden(`you need the executor role on ${hub.name} to assume roles with it`, {
        field: "hubConnection",
      });
    if (hub.health?.arn == null)
      throw new Invalid(
        `connection ${hub.name} has not passed a test yet: test it first (the member roles' trust policy names its identity)`,
        { field: "hubConnection" },
      );
    hubConnectionId = hub.id;
    hubPrincipalArn = principalArnOf(hub.health.arn);
  } else if (input.hubConnection !== undefined) {
    throw new Invalid("web_identity member connections have no hub connection: leave it out", {
      field: "hubConnection",
    });
  }
  await refuseTakenNames(deps, principal, organization, input);
  const now = deps.clock.now();
  const onboarding: StoredOnboarding = {
    ous: input.ous,
    skipAccounts: input.skipAccounts,
    roleName: input.roleName,
    access: input.access,
    regions: input.regions,
    method: input.method,
    hubConnectionId,
    hubPrincipalArn,
    reconcileSchedule: input.reconcileSchedule,
    onboardedAt: now.toISOString(),
  };
  await deps.db.transaction().execute(async (tx) => {
    const externalId =
      input.method === "assume_role"
        ? await issueGroupExternalId(tx, principal.orgId, now)
        : undefined;
    const updated = await tx
      .updateTable("organizations")
      .set({
        onboarding: JSON.stringify(onboarding),
        external_id_id: externalId?.id ?? null,
        onboarded_by: principal.userId,
        updated_at: now.toISOString(),
      })
      .where("id", "=", organization.id)
      .where("onboarding", "is", null)
      .executeTakeFirst();
    if (updated.numUpdatedRows !== 1n)
      throw new Conflict(`organization ${name} is onboarded already`);
    await recordAuditEvent(
      tx,
      context,
      {
        action: "organization.onboard",
        objectType: "organization",
        objectId: name,
        detail: {
          ous: input.ous,
          skipAccounts: input.skipAccounts,
          roleName: input.roleName,
          access: input.access,
          regions: input.regions,
          method: input.method,
        },
      },
      now,
    );
  });
  const onboarded = await findOrganizationById(deps.db, organization.id);
  if (onboarded === undefined) throw new Error("the organization just onboarded was not found");
  const connected = await connectMembers(deps, context, principal, onboarded);
  await scheduleReconcile(deps.queue, onboarded.id, input.reconcileSchedule);
  return {
    organization: onboarded,
    ...connected,
    notes: [
      `Member connections assume ${input.roleName} in each account: deploy the member role template (GET …/template) as a service-managed StackSet, or let Switchboard deploy it (POST …/deploy, needs a full management connection).`,
      `The management account ${organization.managementAccountId} is not onboarded by the StackSet: service-managed StackSets never deploy to it. Create its role with the single-stack template if you want it.`,
    ],
  };
}
