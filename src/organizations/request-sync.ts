import type { Principal } from "../access/index.js";
import { recordAuditEvent, type RequestContext } from "../audit/index.js";
import type { OrganizationDeps } from "./organization-deps.js";
import { sendOrganizationJob } from "./organization-jobs.js";
import { findOrganization } from "./organization-record.js";

/** Queues a reconcile now (one per organization is queued or running at a time). */
export async function requestSync(
  deps: OrganizationDeps,
  context: RequestContext,
  principal: Principal,
  name: string,
): Promise<{ queued: boolean; requestedAt: string }> {
  const organization = await findOrganization(deps.db, principal, name);
  const now = deps.clock.now();
  const id = await sendOrganizationJob(deps.queue, {
    kind: "reconcile",
    organizationId: organization.id,
  });
  await recordAuditEvent(
    deps.db,
    context,
    {
      action: "organization.sync",
      objectType: "organization",
      objectId: name,
      detail: { queued: id !== null },
    },
    now,
  );
  return { queued: id !== null, requestedAt: now.toISOString() };
}
