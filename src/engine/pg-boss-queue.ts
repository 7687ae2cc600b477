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
  SCHEDULE_QUEUE,
  scheduleJobId,
  scheduleWindow,
  type Queue,
  type QueueDefinition,
  type QueueHandler,
  type SendOptions,
  type WorkOptions,
  WorkLoop,
  type Claimed,
  type JobResult,
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

// pg-boss bounds a claimed job by expireInSeconds as well as by its heartbeat; heartbeats, not
// expiry, catch dead workers, so the bound is pg-boss's maximum (24 h).
const EXPIRE_IN_SECONDS = 24 * 60 * 60;

/**
 * pg-boss's NOTIFY channel for the schema (its `plans.notifyChannelSql`, not exported): an insert
 * into a queue created with `notify` sends the queue's name on it in the same statement. We LISTEN
 * to it ourselves, since our loops are not pg-boss workers. If a pg-boss release changed the
 * channel, the contract test of a worker whose poll is 10 minutes away would fail.
 */
const NOTIFY_CHANNEL_SQL = `select ('pgboss_' || left(encode(sha224('${SCHEMA}'::bytea), 'hex'), 24)) as channel`;

/** How often heartbeats may fall due: a held job's lease is refreshed at about half its length. */
const HEARTBEAT_TICK_SECONDS = 1;

// Our table in pg-boss's schema, so the queue's state stays in one schema.
const CREATE_SCHEDULES = `create table if not exists ${SCHEMA}.switchboard_schedules (
  key text primary key,
  cron text not null,
  tz text not null,
  data jsonb not null,
  created_at timestamptz not null default now()
)`;

/**
 * The queue on PostgreSQL: pg-boss 12 in its own `pgboss` schema.
 *
 * - Every queue is created with pg-boss's `exclusive` policy, which refuses a second job with the
 *   same singleton key while one is created, waiting for a retry, or active: our `singletonKey`. A
 *   job sent without one gets a random key of its own, since the policy treats "no key" as one key.
 * - Jobs are claimed with pg-boss's `fetch` by the same {@link WorkLoop} as on SQLite, not by
 *   pg-boss's `work()`: a `work()` batch handler holds its fetch loop until every job of the batch
 *   has ended, so one target waiting out its timeout idled the rest of its batch's slots. Our loop
 *   starts the next job as each ends, and claims again when its buffer is empty.
 * - `groupConcurrency` is a fetch option in pg-boss, not a queue setting: the fetch skips groups at
 *   their limit in the claim, then counts the group's active jobs again after its claim committed
 *   and gives the excess back (restored jobs keep their attempt), so two workers racing cannot
 *   exceed it. Every worker of a queue must therefore pass the same limit: it comes from the
 *   `createQueue` definition, which every process calls.
 * - Results are settled by group commit (`complete`/`fail` with the attempts held, so a stale
 *   result never settles a newer attempt). What a process holds, running or buffered, is touched
 *   (pg-boss's heartbeat, fenced by attempt) at about half its heartbeat; pg-boss's supervisor
 *   gives a job whose heartbeat went stale to another worker.
 * - A send wakes the loops of its queue at once: in this process directly, in the others by the
 *   NOTIFY pg-boss's insert sends ({@link NOTIFY_CHANNEL_SQL}), which each process LISTENs to
 *   through pg-boss's listener connection (reconnected by pg-boss); pg-boss's own listener is
 *   off, as it only wakes pg-boss workers. Polling every `pollSeconds` backs it up.
 * - pg-boss's own cron is off (`schedule: false`): see queue.ts for why, and for the pass used instead.
 */
export function createPgBossQueue(options: PgBossQueueOptions): Queue {
  const { clock, onError } = options;
  const definitions = new Map<string, QueueDefinition>();
  const timers: NodeJS.Timeout[] = [];
  const loops: WorkLoop[] = [];
  let listening: { close(): Promise<void> } | undefined;
  let lastHeartbeat = -Infinity;
  const boss = new PgBoss({
    connectionString: options.connectionString,
    schema: SCHEMA,
    max: options.poolSize,
    // Its listener wakes pg-boss workers only; ours wakes our loops (see NOTIFY_CHANNEL_SQL).
    useListenNotify: false,
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

  const wake = (name: string): void => {
    for (const loop of loops) if (loop.name === name) void loop.pump();
  };

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

  // pg-boss counts retries from 0 where our attempts count from 1.
  const attemptOf = (held: { id: string; attempt: number }): JobAttempt => ({
    id: held.id,
    retryCount: held.attempt - 1,
  });

  const fail = async (name: string, held: { id: string; attempt: number }[], message: string) => {
    if (held.length > 0) await boss.fail(name, held.map(attemptOf), { message });
  };

  // Per queue: one statement for the completions, one per distinct error for the failures. A
  // write wakes the loops of the queues it freed room in (a group's place, a retry due at once).
  const results = new GroupCommit<JobResult>(async (items) => {
    const byName = new Map<string, JobResult[]>();
    for (const item of items) {
      const list = byName.get(item.name);
      if (list === undefined) byName.set(item.name, [item]);
      else list.push(item);
    }
    for (const [name, settled] of byName) {
      const done = settled.filter((item) => item.error === undefined).map(attemptOf);
      if (done.length > 0) await boss.complete(name, done);
      const byMessage = new Map<string, JobResult[]>();
      for (const item of settled) {
        if (item.error === undefined) continue;
        const list = byMessage.get(item.error);
        if (list === undefined) byMessage.set(item.error, [item]);
        else list.push(item);
      }
      for (const [message, failed] of byMessage) await fail(name, failed, message);
    }
    for (const name of byName.keys()) wake(name);
  }, onError);

  // Touches what each loop holds once half of its shortest lease has passed since the last touch.
  const heartbeatIfDue = async (): Promise<void> => {
    const held = loops.map((loop) => ({ name: loop.name, jobs: loop.holding() }));
    const shortestMs = Math.min(...held.flatMap(({ jobs }) => jobs.map((job) => job.leaseMs)));
    // Real time, not the engine's clock: pg-boss's supervisor judges heartbeats by the database's.
    if (shortestMs === Infinity || performance.now() - lastHeartbeat < shortestMs / 2) return;
    lastHeartbeat = performance.now();
    for (const { name, jobs } of held)
      if (jobs.length > 0) await boss.touch(name, jobs.map(attemptOf));
  };

  return {
    dialect: "postgres",

    async start() {
      await boss.start();
      await boss.getDb().executeSql(CREATE_SCHEDULES);
      // pg-boss's listener connection, reconnected by pg-boss; after a reconnect a send may have
      // been missed, so every loop looks again.
      const { rows } = await boss.getDb().executeSql(NOTIFY_CHANNEL_SQL);
      listening = await boss.getDb().listen?.(
        (rows[0] as { channel: string }).channel,
        (name) => wake(name),
        () => {
          for (const loop of loops) void loop.pump();
        },
      );
      every(options.schedulePollSeconds, schedulePass);
      every(options.pollSeconds, async () => {
        for (const loop of loops) void loop.pump();
      });
      every(HEARTBEAT_TICK_SECONDS, heartbeatIfDue);
    },

    async stop(stopOptions = {}) {
      for (const timer of timers.splice(0)) clearInterval(timer);
      for (const loop of loops) loop.stopped = true;
      // Claimed but never started: failed, so they run again elsewhere (pg-boss has no public way
      // to give a claim back without counting it as an attempt).
      for (const loop of loops)
        await fail(
          loop.name,
          loop.buffer.splice(0).map(({ job }) => job),
          "the queue stopped before the job started",
        );
      if (stopOptions.graceful === true) {
        await Promise.all(loops.flatMap((loop) => [...loop.inFlight]));
      } else {
        // Their handlers may still finish, but their results are fenced off by the attempt.
        for (const loop of loops)
          await fail(
            loop.name,
            [...loop.held].map(([id, { attempt }]) => ({ id, attempt })),
            "the queue stopped while the job ran",
          );
      }
      await results.flushed();
      loops.splice(0);
      await listening?.close();
      listening = undefined;
      await boss.stop({ graceful: stopOptions.graceful === true, timeout: 30_000 });
    },

    async createQueue(name, queueDefinition) {
      definitions.set(name, queueDefinition);
      const settings = {
        retryLimit: queueDefinition.retryLimit,
        retryDelay: queueDefinition.retryDelaySeconds ?? 0,
        heartbeatSeconds: queueDefinition.heartbeatSeconds,
        expireInSeconds: EXPIRE_IN_SECONDS,
        // pg-boss's insert sends a NOTIFY on its channel (see NOTIFY_CHANNEL_SQL).
        notify: true,
      };
      // createQueue leaves an existing queue as it was; updateQueue applies today's definition.
      await boss.createQueue(name, { ...settings, policy: "exclusive" });
      await boss.updateQueue(name, settings);
    },

    async send(name, data, sendOptions) {
      definition(name);
      const id = await boss.send(name, data as object, jobOptions(sendOptions));
      if (id !== null) wake(name);
      return id;
    },

    async sendMany(name, jobs) {
      definition(name);
      if (jobs.length === 0) return;
      await insert(
        name,
        jobs.map((job) => ({ data: job.data as object, ...jobOptions(job.options) })),
      );
      wake(name);
    },

    // pg-boss inserts jobs as created only: a caller sends its job to the workers instead.
    async claimNew() {
      return null;
    },

    complete(job) {
      throw new Error(`job ${job.id} was not claimed by claimNew (pg-boss never claims new jobs)`);
    },

    async work<T>(name: string, workOptions: WorkOptions, handler: QueueHandler<T>) {
      const { groupConcurrency, heartbeatSeconds } = definition(name);
      const claim = async (limit: number): Promise<Claimed[]> => {
        const jobs = await boss.fetch<T>(name, {
          batchSize: limit,
          ...(groupConcurrency === undefined ? {} : { groupConcurrency }),
        });
        return jobs.map((job: Job<T>) => ({
          job: { id: job.id, name: job.name, data: job.data, attempt: job.retryCount + 1 },
          leaseMs: (job.heartbeatSeconds ?? heartbeatSeconds) * 1000,
        }));
      };
      const loop = new WorkLoop(
        name,
        workOptions,
        handler as QueueHandler<unknown>,
        claim,
        results,
        onError,
      );
      loops.push(loop);
      void loop.pump();
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
