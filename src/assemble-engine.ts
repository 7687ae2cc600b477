import { randomInt } from "node:crypto";
import type { FastifyBaseLogger } from "fastify";
import { SdkClientCache } from "./actions/index.js";
import type { Clock } from "./clock.js";
import type { DatabaseConfig } from "./config.js";
import type { CredentialDeps } from "./connections/index.js";
import type { Db } from "./db/index.js";
import {
  createEngine,
  createQueue,
  InFlightRuns,
  registerScheduleHandler,
  registerTargetHandler,
  RunEvents,
  type Engine,
  type QueueTuning,
} from "./engine/index.js";
import {
  fireSyncSchedule,
  inventoryTargetHandler,
  SYNC_SCHEDULE_PREFIX,
} from "./inventory/index.js";
import type { KeystoreDeps } from "./keystore/index.js";
import {
  forwardOrganizationSchedule,
  ORGANIZATION_SCHEDULE_PREFIX,
} from "./organizations/index.js";
import type { Outbound } from "./outbound/index.js";

export interface EngineOptions {
  db: Db;
  database: DatabaseConfig;
  clock: Clock;
  keystore: KeystoreDeps;
  credentials: CredentialDeps;
  outbound: Outbound;
  logger: FastifyBaseLogger;
  queueTuning?: Partial<QueueTuning>;
  /** The lease of the engine's jobs; default 10 s (see engineQueueDefinitions). Tests shorten it on SQLite. */
  heartbeatSeconds?: number;
}

/**
 * The engine of this process on its queue (SQLite's own driver, or pg-boss on PostgreSQL). Every
 * process that starts runs has one; `startWorkers` makes it a worker too.
 */
export async function assembleEngine(o: EngineOptions): Promise<Engine> {
  const queue = createQueue(
    {
      db: o.db,
      database: o.database,
      clock: o.clock,
      onError: (error) => o.logger.warn({ err: error }, "queue background work failed"),
    },
    o.queueTuning,
  );
  await queue.start();
  // The inventory's sync targets run its listing instead of a catalog action.
  registerTargetHandler(inventoryTargetHandler);
  registerScheduleHandler(SYNC_SCHEDULE_PREFIX, fireSyncSchedule);
  // An organization's reconcile slot becomes a job of the organization queue.
  registerScheduleHandler(ORGANIZATION_SCHEDULE_PREFIX, (deps, data) =>
    forwardOrganizationSchedule(deps.queue, data),
  );
  return createEngine(
    {
      db: o.db,
      clock: o.clock,
      queue,
      keystore: o.keystore,
      credentials: o.credentials,
      clients: new SdkClientCache(),
      outbound: o.outbound,
      logger: o.logger,
      random: () => randomInt(0, 2 ** 32) / 2 ** 32,
      events: new RunEvents(),
      inFlight: new InFlightRuns(),
    },
    o.heartbeatSeconds === undefined ? {} : { heartbeatSeconds: o.heartbeatSeconds },
  );
}
