import { ORGANIZATION_QUEUE } from "../organizations/index.js";
import type { QueueDefinition } from "./queue.js";

/** The engine's queues: what each job carries and how its queue is set up. */
export const RUN_ADVANCE_QUEUE = "run.advance";
export const RUN_TARGET_QUEUE = "run.target";
export const ENGINE_SCHEDULE_QUEUE = "workflow.schedule";

export interface RunAdvanceJob {
  runId: string;
}

export interface RunTargetJob {
  runId: string;
  idx: number;
}

/** Calls in flight per (account, region, service) across every worker: AWS throttles per account, region and API. */
export const MAX_PER_BUCKET = 8;

/**
 * A target job whose worker stopped heartbeating goes to another worker after this; pg-boss
 * accepts no less than 10.
 */
const HEARTBEAT_SECONDS = 10;

export const QUEUE_DEFINITIONS: Record<string, QueueDefinition> = {
  [RUN_ADVANCE_QUEUE]: {
    heartbeatSeconds: HEARTBEAT_SECONDS,
    retryLimit: 20,
    retryDelaySeconds: 1,
  },
  [RUN_TARGET_QUEUE]: {
    heartbeatSeconds: HEARTBEAT_SECONDS,
    retryLimit: 10,
    retryDelaySeconds: 1,
    groupConcurrency: MAX_PER_BUCKET,
  },
  [ENGINE_SCHEDULE_QUEUE]: {
    heartbeatSeconds: HEARTBEAT_SECONDS,
    retryLimit: 5,
    retryDelaySeconds: 5,
  },
  // An organization's reconcile and the follow-up of its StackSet deployment (src/organizations).
  [ORGANIZATION_QUEUE]: {
    heartbeatSeconds: HEARTBEAT_SECONDS,
    retryLimit: 3,
    retryDelaySeconds: 10,
  },
};
