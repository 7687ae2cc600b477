import type { Clock } from "../clock.js";
import type { DatabaseConfig } from "../config.js";
import type { Db } from "../db/index.js";
import { createPgBossQueue } from "./pg-boss-queue.js";
import type { Queue } from "./queue.js";
import { createSqliteQueue } from "./sqlite-queue.js";

/** Timings of the drivers; tests shorten them. */
export interface QueueTuning {
  /** Backstop poll for delayed jobs, retries and (SQLite) expired leases; a send wakes workers at once. */
  pollSeconds: number;
  /** How often each started queue looks for schedule slots to fire. */
  schedulePollSeconds: number;
  /** PostgreSQL: how often pg-boss fails over jobs whose worker stopped heartbeating. */
  superviseSeconds: number;
  /** PostgreSQL: pg-boss's own pool. */
  poolSize: number;
}

export const DEFAULT_QUEUE_TUNING: QueueTuning = {
  pollSeconds: 2,
  schedulePollSeconds: 5,
  superviseSeconds: 15,
  poolSize: 10,
};

export interface QueueDeps {
  /** The project's database (SQLite: the driver's tables go in the same file). */
  db: Db;
  /** Its configuration: the dialect chooses the driver, and pg-boss opens its own pool to the URL. */
  database: DatabaseConfig;
  clock: Clock;
  /** Errors of background work (polls, heartbeats, result writes, schedule passes). */
  onError: (error: unknown) => void;
}

/** The queue driver for the database's dialect: SQLite's own, or pg-boss on PostgreSQL. Call start() next. */
export function createQueue(deps: QueueDeps, tuning: Partial<QueueTuning> = {}): Queue {
  const { pollSeconds, schedulePollSeconds, superviseSeconds, poolSize } = {
    ...DEFAULT_QUEUE_TUNING,
    ...tuning,
  };
  if (deps.database.dialect === "sqlite") {
    return createSqliteQueue(
      { db: deps.db },
      { pollSeconds, schedulePollSeconds, clock: deps.clock, onError: deps.onError },
    );
  }
  return createPgBossQueue({
    connectionString: deps.database.url,
    poolSize,
    pollSeconds,
    schedulePollSeconds,
    superviseSeconds,
    clock: deps.clock,
    onError: deps.onError,
  });
}
