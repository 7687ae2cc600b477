import type { Principal } from "../access/index.js";
import { recordAuditEvent, type RequestContext } from "../audit/index.js";
import { assertPrincipalsExist, visibleConnection, type Actor } from "../connections/index.js";
import { isUniqueViolation } from "../db/index.js";
import { Conflict, Forbidden, Invalid } from "../errors.js";
import { newId } from "../ids.js";
import { organizationClients } from "./aws-clients.js";
import { awsFailure } from "./aws-failure.js";
import { explainOrganizationError } from "./explain-organization-error.js";
import type { OrganizationDeps } from "./organization-deps.js";
import { storedGrants } from "./organization-grants.js";
import { findOrganizationById, type OrganizationRecord } from "./organization-record.js";
import { readOrganization } from "./read-organization.js";
import type { CreateOrganizationInput } from "./schemas.js";
import { upsertAccounts } from "./upsert-accounts.js";

/**
 * An organization from a connection into its management account or a delegated administrator:
 * Switchboard reads the organization, its root, its OUs and its accounts, and remembers whether
 * StackSets calls must say `CallAs: DELEGATED_ADMIN` (the connection is not the management account).
 */
export async function createOrganization(
  deps: OrganizationDeps,
  context: RequestContext,
  principal: Principal,
  actor: Actor,
  input: CreateOrganizationInput,
): Promise<OrganizationRecord> {
  const { connection, roles } = await visibleConnection(deps.db, principal, input.connection).catch(
    () => {
      throw new Invalid(`connection ${input.connection} was not found`, { field: "connection" });
    },
  );
  if (!roles.includes("executor")) {
    throw new Forbidden(
      `you need the executor role on ${connection.name} to read an organization with it`,
      {
        field: "connection",
      },
    );
  }
  if (connection.accountId === null) {
    throw new Invalid(
      `connection ${connection.name} has not passed a test yet: test it first (Switchboard needs its account id)`,
      { field: "connection" },
    );
  }
  await assertPrincipalsExist(deps.db, principal.orgId, input.grants).catch((error: unknown) => {
    if (error instanceof Invalid)
      throw new Invalid(error.message, { field: `grants.${error.field ?? ""}` });
    throw error;
  });
  const clients = organizationClients(deps, connection, actor);
  const snapshot = await readOrganization(clients.organizations).catch((error: unknown) => {
    throw awsFailure(
      explainOrganizationError(error, {
        callAs: "SELF",
        connectionName: connection.name,
        accountId: connection.accountId,
        managementAccountId: null,
      }),
    );
  });
  const now = deps.clock.now();
  const id = newId(now.getTime());
  const callAs = connection.accountId === snapshot.managementAccountId ? "SELF" : "DELEGATED_ADMIN";
  try {
    await deps.db.transaction().execute(async (tx) => {
      await tx
        .insertInto("organizations")
        .values({
          id,
          org_id: principal.orgId,
          name: input.name,
          connection_id: connection.id,
          call_as: callAs,
          aws_organization_id: snapshot.organizationId,
          management_account_id: snapshot.managementAccountId,
          tree: JSON.stringify({ rootId: snapshot.rootId, ous: snapshot.ous }),
          grants: JSON.stringify(await storedGrants(tx, principal.orgId, input.grants)),
          onboarding: null,
          external_id_id: null,
          deployment: null,
          last_sync: null,
          onboarded_by: null,
          created_at: now.toISOString(),
          created_by: context.actor,
          updated_at: now.toISOString(),
        })
        .execute();
      await upsertAccounts(tx, id, snapshot.accounts, now);
      await recordAuditEvent(
        tx,
        context,
        {
          action: "organization.create",
          objectType: "organization",
          objectId: input.name,
          detail: {
            connection: connection.name,
            callAs,
            awsOrganizationId: snapshot.organizationId,
            accounts: snapshot.accounts.length,
          },
        },
        now,
      );
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw new Conflict(`an organization named ${input.name} already exists`, {
        field: "name",
        cause: error,
      });
    throw error;
  }
  const created = await findOrganizationById(deps.db, id);
  if (created === undefined) throw new Error("the organization just created was not found");
  return created;
}
