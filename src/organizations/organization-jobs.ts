import type { Queue } from "../engine/index.js";

/** The organizations feature's own queue (created with the engine's, src/engine/queues.ts). */
export const ORGANIZATION_QUEUE = "organization.job";

/** A job on {@link ORGANIZATION_QUEUE}. */
export interface OrganizationJob {
  kind: "reconcile" | "follow-deployment";
  organizationId: string;
}

/** The key prefix of reconcile schedules (assemble-engine.ts sends their slots here). */
export const ORGANIZATION_SCHEDULE_PREFIX = "organization:";

/** The reconcile runs on the engine's schedules: one job per slot, whatever the number of workers. */
export async function scheduleReconcile(
  queue: Queue,
  organizationId: string,
  cron: string,
): Promise<void> {
  const job: OrganizationJob = { kind: "reconcile", organizationId };
  await queue.schedule(`${ORGANIZATION_SCHEDULE_PREFIX}${organizationId}`, cron, job, {
    tz: "UTC",
  });
}

export async function unscheduleReconcile(queue: Queue, organizationId: string): Promise<void> {
  await queue.unschedule(`${ORGANIZATION_SCHEDULE_PREFIX}${organizationId}`);
}

/**
 * Sends an organization job; one reconcile of an organization is queued or running at a time
 * (a second one asked meanwhile is dropped: the one queued will see the same world).
 */
export async function sendOrganizationJob(
  queue: Queue,
  job: OrganizationJob,
  options: { startAfterSeconds?: number } = {},
): Promise<string | null> {
  return queue.send(ORGANIZATION_QUEUE, job, {
    ...(job.kind === "reconcile" ? { singletonKey: `reconcile:${job.organizationId}` } : {}),
    ...(options.startAfterSeconds === undefined
      ? {}
      : { startAfterSeconds: options.startAfterSeconds }),
  });
}

/** A fired reconcile slot, sent on as a job of the organization queue. */
export async function forwardOrganizationSchedule(
  queue: Queue,
  data: { key: string } & Record<string, unknown>,
): Promise<void> {
  const organizationId = data.organizationId;
  if (typeof organizationId !== "string") return;
  await sendOrganizationJob(queue, { kind: "reconcile", organizationId });
}
