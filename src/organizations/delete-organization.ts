import type { Principal } from "../access/index.js";
import { recordAuditEvent, type RequestContext } from "../audit/index.js";
import type { OrganizationDeps } from "./organization-deps.js";
import { unscheduleReconcile } from "./organization-jobs.js";
import { findOrganization } from "./organization-record.js";

/**
 * Forgets an organization and stops its reconcile. Its member connections stay (deleting them is
 * a separate, deliberate act on each), and so does the StackSet in AWS.
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
    await recordAuditEvent(
      tx,
      context,
      { action: "organization.delete", objectType: "organization", objectId: name },
      now,
    );
  });
  await unscheduleReconcile(deps.queue, organization.id);
}
