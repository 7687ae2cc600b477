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
 * A job whose worker stopped heartbeating goes to another worker after this. pg-boss accepts no
 * less than 10 (attorney.js: "heartbeatSeconds must be an integer >= 10"), and a production
 * install never uses less on either database.
 */
export const DEFAULT_HEARTBEAT_SECONDS = 10;

/** pg-boss refuses a shorter heartbeat; SQLite's own driver has no such floor. */
const PG_BOSS_MIN_HEARTBEAT_SECONDS = 10;

/**
 * The engine's queue definitions, every job leased for `heartbeatSeconds` (default 10). Only the
 * tests shorten it, on SQLite, so that a killed worker's jobs come back in seconds: the engine
 * receives it from its caller (`assembleEngine`'s options), never from the environment.
 */
export function engineQueueDefinitions(
  dialect: "sqlite" | "postgres",
  heartbeatSeconds: number = DEFAULT_HEARTBEAT_SECONDS,
): Record<string, QueueDefinition> {
  if (!Number.isInteger(heartbeatSeconds) || heartbeatSeconds < 1)
    throw new Error(
      `heartbeatSeconds: expected a whole number of seconds, got ${heartbeatSeconds}`,
    );
  if (dialect === "postgres" && heartbeatSeconds < PG_BOSS_MIN_HEARTBEAT_SECONDS)
    throw new Error(
      `heartbeatSeconds: pg-boss accepts no less than ${PG_BOSS_MIN_HEARTBEAT_SECONDS} on PostgreSQL, got ${heartbeatSeconds}`,
    );
  return {
    [RUN_ADVANCE_QUEUE]: {
      heartbeatSeconds,
      retryLimit: 20,
      retryDelaySeconds: 1,
    },
    [RUN_TARGET_QUEUE]: {
      heartbeatSeconds,
      retryLimit: 10,
      retryDelaySeconds: 1,
      groupConcurrency: MAX_PER_BUCKET,
    },
    [ENGINE_SCHEDULE_QUEUE]: {
      heartbeatSeconds,
      retryLimit: 5,
      retryDelaySeconds: 5,
    },
    // An organization's reconcile and the follow-up of its StackSet deployment (src/organizations).
    [ORGANIZATION_QUEUE]: {
      heartbeatSeconds,
      retryLimit: 3,
      retryDelaySeconds: 10,
    },
  };
}
