import {
  handleOrganizationJob,
  ORGANIZATION_QUEUE,
  type OrganizationJob,
} from "../organizations/index.js";
import { pruneRuns } from "../runs/index.js";
import { advanceRun } from "./advance-run.js";
import type { EngineDeps } from "./engine-deps.js";
import type { ScheduledJobData } from "./queue.js";
import {
  ENGINE_SCHEDULE_QUEUE,
  engineQueueDefinitions,
  RUN_ADVANCE_QUEUE,
  RUN_TARGET_QUEUE,
  type RunAdvanceJob,
  type RunTargetJob,
} from "./queues.js";
import { TargetRunner } from "./run-target-job.js";
import { TargetSettler } from "./settle-targets.js";
import { fireSchedule } from "./triggers.js";
import { scheduleHandlerOf } from "./target-handlers.js";

/** How often a worker looks whether a run it is running was cancelled elsewhere. */
const CANCEL_WATCH_MS = 1_000;
const PRUNE_KEY = "engine:prune";

export interface WorkerOptions {
  /** Targets this worker runs at once. */
  targetConcurrency: number;
  /** Days a finished run is kept. */
  retentionDays: number;
}

export const DEFAULT_WORKER_OPTIONS: WorkerOptions = { targetConcurrency: 64, retentionDays: 90 };

export interface Engine {
  deps: EngineDeps;
  settler: TargetSettler;
  /** Makes this process a worker: it takes run.advance, run.target and schedule jobs. */
  startWorkers(options?: Partial<WorkerOptions>): Promise<void>;
  stop(): Promise<void>;
}

export interface EngineQueueOptions {
  /** The lease of every engine job (default 10, pg-boss's minimum); only tests shorten it, on SQLite. */
  heartbeatSeconds?: number;
}

/** The engine's queues, created in every process (API or worker) before anything is sent. */
export async function createEngine(
  deps: EngineDeps,
  options: EngineQueueOptions = {},
): Promise<Engine> {
  const definitions = engineQueueDefinitions(deps.queue.dialect, options.heartbeatSeconds);
  for (const [name, definition] of Object.entries(definitions))
    await deps.queue.createQueue(name, definition);
  const settler = new TargetSettler(deps);
  let watch: NodeJS.Timeout | undefined;
  let retentionDays = DEFAULT_WORKER_OPTIONS.retentionDays;

  const watchCancels = async () => {
    const ids = deps.inFlight.ids();
    if (ids.length === 0) return;
    const cancelled = await deps.db
      .selectFrom("runs")
      .select("id")
      .where("id", "in", ids)
      .where("cancel_requested", "=", 1)
      .execute();
    for (const run of cancelled) deps.inFlight.abort(run.id);
  };

  return {
    deps,
    settler,
    async startWorkers(options = {}) {
      const o = { ...DEFAULT_WORKER_OPTIONS, ...options };
      retentionDays = o.retentionDays;
      const targets = new TargetRunner(deps, settler);
      await deps.queue.work<RunTargetJob>(
        RUN_TARGET_QUEUE,
        {
          batchSize: Math.max(o.targetConcurrency * 2, 100),
          localConcurrency: o.targetConcurrency,
        },
        (job) => targets.run(job),
      );
      await deps.queue.work<RunAdvanceJob>(
        RUN_ADVANCE_QUEUE,
        { batchSize: 20, localConcurrency: 8 },
        (job) => advanceRun(deps, job.data.runId),
      );
      await deps.queue.work<ScheduledJobData>(
        ENGINE_SCHEDULE_QUEUE,
        { batchSize: 10, localConcurrency: 4 },
        async (job) => {
          if (job.data.key === PRUNE_KEY) {
            const pruned = await pruneRuns(deps.db, deps.clock.now(), retentionDays);
            if (pruned > 0) deps.logger.info({ pruned, retentionDays }, "pruned old runs");
            return;
          }
          // A feature's schedule (the inventory's syncs): its handler fires the slot.
          const featureSchedule = scheduleHandlerOf(job.data.key);
          if (featureSchedule !== undefined) return featureSchedule(deps, job.data);
          await fireSchedule(deps, job.data);
        },
      );
      await deps.queue.work<OrganizationJob>(
        ORGANIZATION_QUEUE,
        { batchSize: 4, localConcurrency: 2 },
        (job) => handleOrganizationJob(deps, job.data),
      );
      // Run history is pruned every night, once for the installation.
      await deps.queue.schedule(PRUNE_KEY, "17 3 * * *", {}, { tz: "UTC" });
      watch = setInterval(() => {
        watchCancels().catch((error: unknown) =>
          deps.logger.warn({ err: error }, "cancel watch failed"),
        );
      }, CANCEL_WATCH_MS);
      watch.unref();
    },
    async stop() {
      clearInterval(watch);
      await deps.queue.stop({ graceful: true });
    },
  };
}
