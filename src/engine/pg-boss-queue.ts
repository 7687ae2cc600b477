import { randomUUID } from "node:crypto";
import {
  PgBoss,
  type Job,
  type JobAttempt,
  type JobInsert,
  type SendOptions as BossSendOptions,
} from "pg-boss";
import type { Clock } from "../clock.js";
import {
  assertCron,
  dueSlots,
  GroupCommit,
  runWithConcurrency,
  SCHEDULE_QUEUE,
  scheduleJobId,
  scheduleWindow,
  type Queue,
  type QueueDefinition,
  type QueueHandler,
  type SendOptions,
  type WorkOptions,
} from "./queue.js";

export interface PgBossQueueOptions {
  /** A PostgreSQL URL: pg-boss keeps its own pool (and one LISTEN connection) to it. */
  connectionString: string;
  /** Connections of pg-boss's pool. */
  poolSize: number;
  /** The backstop poll of idle workers (a send wakes them through LISTEN/NOTIFY); retries and delayed jobs wait for it. */
  pollSeconds: number;
  /** How often the schedule pass runs. */
  schedulePollSeconds: number;
  /**
   * pg-boss's supervise and monitor interval: how often a job whose worker stopped heartbeating
   * (or that outlived its expiry) is failed over to a retry. A pass also counts the queues, so not
   * every second in production.
   */
  superviseSeconds: number;
  clock: Clock;
  onError: (error: unknown) => void;
}

const SCHEMA = "pgboss";

/** Fetch loops per registration at most (see work()), one per this many handlers. */
const FETCH_LANES = 4;
const HANDLERS_PER_LANE = 16;

// pg-boss bounds a batch's handler by expireInSeconds, and our batch runs up to batchSize jobs a
// few at a time, so the bound is pg-boss's maximum (24 h): heartbeats, not expiry, catch dead workers.
const EXPIRE_IN_SECONDS = 24 * 60 * 60;

// Our table in pg-boss's schema, so the queue's state stays in one schema.
const CREATE_SCHEDULES = `create table if not exists ${SCHEMA}.switchboard_schedules (
  key text primary key,
  cron text not null,
  tz text not null,
  data jsonb not null,
  created_at timestamptz not null default now()
)`;

interface Result {
  job: JobAttempt;
  error?: string;
}

/**
 * The queue on PostgreSQL: pg-boss 12 in its own `pgboss` schema.
 *
 * - Every queue is created with pg-boss's `exclusive` policy, which refuses a second job with the
 *   same singleton key while one is created, waiting for a retry, or active: our `singletonKey`. A
 *   job sent without one gets a random key of its own, since the policy treats "no key" as one key.
 * - `groupConcurrency` is a work option in pg-boss, not a queue setting: pg-boss's fetch skips
 *   groups at their limit in the claim, then counts the group's active jobs again after its claim
 *   committed and gives the excess back (restored jobs keep their attempt), so two workers racing
 *   cannot exceed it. Every worker of a queue must therefore pass the same limit: it comes from the
 *   `createQueue` definition, which every process calls.
 * - A fetch of `batchSize` jobs is one pg-boss batch; its handler runs them `localConcurrency` at a
 *   time and settles them by group commit (`complete`/`fail` with the attempts it holds, so a
 *   stale result never settles a newer attempt). pg-boss heartbeats every job of the batch while it
 *   runs, and completes the batch once more at the end, which finds nothing left to change.
 * - pg-boss's own cron is off (`schedule: false`): see queue.ts for why, and for the pass used instead.
 */
export function createPgBossQueue(options: PgBossQueueOptions): Queue {
  const { clock, onError } = options;
  const definitions = new Map<string, QueueDefinition>();
  const timers: NodeJS.Timeout[] = [];
  const boss = new PgBoss({
    connectionString: options.connectionString,
    schema: SCHEMA,
    max: options.poolSize,
    useListenNotify: true,
    schedule: false,
    superviseIntervalSeconds: options.superviseSeconds,
    monitorIntervalSeconds: options.superviseSeconds,
    application_name: "switchboard-queue",
  });
  boss.on("error", onError);

  const definition = (name: string): QueueDefinition => {
    const found = definitions.get(name);
    if (found === undefined)
      throw new Error(`queue ${name} was not created in this process (createQueue first)`);
    return found;
  };

  const jobOptions = (sendOptions: SendOptions | undefined): BossSendOptions => ({
    singletonKey: sendOptions?.singletonKey ?? `job:${randomUUID()}`,
    ...(sendOptions?.group === undefined ? {} : { group: { id: sendOptions.group } }),
    ...(sendOptions?.startAfterSeconds === undefined
      ? {}
      : { startAfter: sendOptions.startAfterSeconds }),
  });

  const insert = (name: string, jobs: JobInsert[]): Promise<unknown> => boss.insert(name, jobs);

  const schedulePass = async (): Promise<void> => {
    const { rows } = await boss
      .getDb()
      .executeSql(`select key, cron, tz, data, created_at from ${SCHEMA}.switchboard_schedules`);
    const schedules = rows as {
      key: string;
      cron: string;
      tz: string;
      data: Record<string, unknown>;
      created_at: Date;
    }[];
    if (schedules.length === 0) return;
    const at = clock.now();
    const jobs: JobInsert[] = schedules.flatMap((schedule) => {
      const { after, until } = scheduleWindow(at, schedule.created_at);
      return dueSlots(schedule.cron, schedule.tz, after, until).map((slot) => {
        const id = scheduleJobId(schedule.key, slot);
        // The key and slot win over fields of the same name in the schedule's data.
        return {
          id,
          singletonKey: `schedule:${id}`,
          data: { ...schedule.data, key: schedule.key, slot: slot.toISOString() },
        };
      });
    });
    // Every worker's pass inserts the same ids; the job table's primary key keeps the first.
    if (jobs.length > 0) await insert(SCHEDULE_QUEUE, jobs);
  };

  const every = (seconds: number, task: () => Promise<void>): void => {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      task()
        .catch(onError)
        .finally(() => {
          busy = false;
        });
    }, seconds * 1000);
    timer.unref();
    timers.push(timer);
  };

  const settle = (name: string) => async (items: Result[]) => {
    const done = items.filter((item) => item.error === undefined).map((item) => item.job);
    if (done.length > 0) await boss.complete(name, done);
    const byMessage = new Map<string, JobAttempt[]>();
    for (const item of items) {
      if (item.error === undefined) continue;
      byMessage.set(item.error, [...(byMessage.get(item.error) ?? []), item.job]);
    }
    for (const [message, jobs] of byMessage) await boss.fail(name, jobs, { message });
  };

  return {
    dialect: "postgres",

    async start() {
      await boss.start();
      await boss.getDb().executeSql(CREATE_SCHEDULES);
      every(options.schedulePollSeconds, schedulePass);
    },

    async stop(stopOptions = {}) {
      for (const timer of timers.splice(0)) clearInterval(timer);
      await boss.stop({ graceful: stopOptions.graceful === true, timeout: 30_000 });
    },

    async createQueue(name, queueDefinition) {
      definitions.set(name, queueDefinition);
      const settings = {
        retryLimit: queueDefinition.retryLimit,
        retryDelay: queueDefinition.retryDelaySeconds ?? 0,
        heartbeatSeconds: queueDefinition.heartbeatSeconds,
        expireInSeconds: EXPIRE_IN_SECONDS,
        notify: true,
      };
      // createQueue leaves an existing queue as it was; updateQueue applies today's definition.
      await boss.createQueue(name, { ...settings, policy: "exclusive" });
      await boss.updateQueue(name, settings);
    },

    async send(name, data, sendOptions) {
      definition(name);
      return boss.send(name, data as object, jobOptions(sendOptions));
    },

    async sendMany(name, jobs) {
      definition(name);
      if (jobs.length === 0) return;
      await insert(
        name,
        jobs.map((job) => ({ data: job.data as object, ...jobOptions(job.options) })),
      );
    },

    // pg-boss inserts jobs as created only: a caller sends its job to the workers instead.
    async claimNew() {
      return null;
    },

    complete(job) {
      throw new Error(`job ${job.id} was not claimed by claimNew (pg-boss never claims new jobs)`);
    },

    async work<T>(name: string, workOptions: WorkOptions, handler: QueueHandler<T>) {
      const { groupConcurrency } = definition(name);
      // A batch's handler returns once all its jobs are done, and only then does its loop fetch
      // again: with one loop, the last slow job of a batch would idle the rest. Several loops,
      // each with its share of the batch and of the concurrency, keep fetching while others wait.
      const lanes = Math.max(
        1,
        Math.min(FETCH_LANES, Math.floor(workOptions.localConcurrency / HANDLERS_PER_LANE)),
      );
      // One group commit for every lane: the results that settle together are completed in one
      // statement whichever lane fetched them (per batch, a 3,400-target fan-out took twice the
      // completion statements).
      const results = new GroupCommit<Result>(settle(name), onError);
      for (let lane = 0; lane < lanes; lane += 1) {
        // Set once work() returns; its first batch may already be running by then.
        const worker: { id?: string } = {};
        worker.id = await boss.work<T>(
          name,
          {
            batchSize: Math.max(1, Math.ceil(workOptions.batchSize / lanes)),
            localConcurrency: 1,
            ...(groupConcurrency === undefined ? {} : { groupConcurrency }),
            pollingIntervalSeconds: options.pollSeconds,
            notifyPollingIntervalSeconds: options.pollSeconds,
            burstWhenBatchFull: true,
          },
          async (jobs: Job<T>[]) => {
            const written: Promise<boolean>[] = [];
            await runWithConcurrency(
              jobs,
              Math.ceil(workOptions.localConcurrency / lanes),
              async (job) => {
                const attempt: JobAttempt = { id: job.id, retryCount: job.retryCount };
                try {
                  await handler({
                    id: job.id,
                    name: job.name,
                    data: job.data,
                    attempt: job.retryCount + 1,
                  });
                  written.push(results.add({ job: attempt }));
                } catch (error) {
                  written.push(
                    results.add({
                      job: attempt,
                      error: error instanceof Error ? error.message : String(error),
                    }),
                  );
                }
              },
            );
            // pg-boss completes the whole batch after we return: a result we could not write must
            // not become a completion, so fail what is still ours and let it be retried.
            if ((await Promise.all(written)).includes(false))
              throw new Error("some results of this batch could not be written");
            // A batch cut short by group limits is not "full", and pg-boss would then wait out its
            // poll before fetching again although settling this one just freed group slots.
            if (worker.id !== undefined) boss.notifyWorker(worker.id);
          },
        );
      }
    },

    async schedule(key, cron, data, scheduleOptions) {
      assertCron(cron, scheduleOptions.tz);
      await boss.getDb().executeSql(
        `insert into ${SCHEMA}.switchboard_schedules (key, cron, tz, data) values ($1, $2, $3, $4)
         on conflict (key) do update set cron = excluded.cron, tz = excluded.tz, data = excluded.data`,
        [key, cron, scheduleOptions.tz, JSON.stringify(data ?? {})],
      );
    },

    async unschedule(key) {
      await boss
        .getDb()
        .executeSql(`delete from ${SCHEMA}.switchboard_schedules where key = $1`, [key]);
    },
  };
}
