import type { Principal } from "../access/index.js";
import { recordAuditEvent, type RequestContext } from "../audit/index.js";
import type { OrganizationDeps } from "./organization-deps.js";
import { unscheduleReconcile } from "./organization-jobs.js";
import { findOrganization } from "./organization-record.js";

/**
 * Forgets an organization and stops its reconcile. Its member connections stay (deleting them is
 * a separate, deliberate act on each), and so does the StackSet in AWS: with automatic deployment
 * on, it still gives each account that joins a member role. A web_identity one trusts the subject
 * of `<name>-<account id>`, so a tombstone keeps that name pattern reserved for good.
 */
export async function deleteOrganization(
  deps: OrganizationDeps,
  context: RequestContext,
  principal: Principal,
  name: string,
): Promise<void> {
  const organization = await findOrganization(deps.db, principal, name);
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (tx) => {
    await tx.deleteFrom("organizations").where("id", "=", organization.id).execute();
    const stackSetName = organization.deployment?.stackSetName ?? null;
    if (organization.onboarding?.method === "web_identity") {
      const tombstone = {
        stack_set_name: stackSetName,
        deleted_at: now.toISOString(),
        deleted_by: context.actor,
      };
      await tx
        .insertInto("organization_tombstones")
        .values({ org_id: organization.orgId, name: organization.name, ...tombstone })
        .onConflict((oc) => oc.columns(["org_id", "name"]).doUpdateSet(tombstone))
        .execute();
    }
    await recordAuditEvent(
      tx,
      context,
      {
        action: "organization.delete",
        objectType: "organization",
        objectId: name,
        detail: { stackSetName, method: organization.onboarding?.method ?? null },
      },
      now,
    );
  });
  await unscheduleReconcile(deps.queue, organization.id);
}
