import { followDeployment } from "./deploy-stack-set.js";
import type { OrganizationDeps } from "./organization-deps.js";
import type { OrganizationJob } from "./organization-jobs.js";
import { reconcileOrganization } from "./reconcile-organization.js";

/** A job of the organization queue (a worker of the engine runs it). */
export async function handleOrganizationJob(
  deps: OrganizationDeps,
  job: OrganizationJob,
): Promise<void> {
  if (job.kind === "follow-deployment") await followDeployment(deps, job.organizationId);
  else await reconcileOrganization(deps, job.organizationId);
}
