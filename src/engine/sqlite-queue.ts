import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { Clock } from "../clock.js";
import type { Db } from "../db/index.js";
import {
  assertCron,
  dueSlots,
  errorText,
  GroupCommit,
  WorkLoop,
  type Claimed,
  type JobResult,
  SCHEDULE_QUEUE,
  scheduleJobId,
  scheduleWindow,
  type Queue,
  type QueueDefinition,
  type QueueHandler,
  type SendOptions,
  type WorkOptions,
} from "./queue.js";

export interface SqliteQueueOptions {
  /** How often expired leases and delayed jobs are looked for; a send wakes workers at once. */
  pollSeconds: number;
  /** How often the schedule pass runs. */
  schedulePollSeconds: number;
  clock: Clock;
  /** Errors of background work (a poll, a heartbeat, a result write), which has no caller to throw to. */
  onError: (error: unknown) => void;
}

// The driver's own tables, created on start like pg-boss creates its schema. Times are epoch ms.
// `attempt` counts the claims that started the job; a job is retried while attempt <= retry_limit.
const SCHEMA = [
  `create table if not exists queue_jobs (
    id text primary key,
    name text not null,
    data text not null,
    state text not null,
    group_key text,
    singleton_key text,
    attempt integer not null default 0,
    retry_limit integer not null,
    retry_delay_ms integer not null,
    heartbeat_ms integer not null,
    run_after integer not null,
    lease_until integer,
    created_at integer not null,
    finished_at integer,
    last_error text
  )`,
  `create index if not exists queue_jobs_ready on queue_jobs (name, state, run_after)`,
  `create index if not exists queue_jobs_active_groups on queue_jobs (name, group_key) where state = 'active'`,
  `create index if not exists queue_jobs_leases on queue_jobs (lease_until) where state = 'active'`,
  `create unique index if not exists queue_jobs_singletons on queue_jobs (name, singleton_key)
    where singleton_key is not null and state in ('queued', 'active')`,
  `create table if not exists queue_definitions (
    name text primary key,
    group_concurrency integer,
    heartbeat_seconds integer not null,
    retry_limit integer not null,
    retry_delay_seconds integer not null
  )`,
  `create table if not exists queue_schedules (
    key text primary key,
    cron text not null,
    tz text not null,
    data text not null,
    created_at integer not null
  )`,
];

/** Jobs inserted per statement. */
const INSERT_CHUNK = 1000;

/** How often a heartbeat may fall due: a lease is refreshed at most this much after its half-life. */
const HEARTBEAT_TICK_SECONDS = 0.25;

interface ClaimedRow {
  id: string;
  name: string;
  data: string;
  attempt: number;
  heartbeat_ms: number;
}

/**
 * The queue on this project's SQLite database (one process). Claims run inside `BEGIN IMMEDIATE`
 * with `UPDATE … RETURNING`, so a claim and the group counts it reads are one atomic step; a send
 * wakes this process's workers at once, and a poll picks up delayed jobs and expired leases.
 */
export function createSqliteQueue(deps: { db: Db }, options: SqliteQueueOptions): Queue {
  const { db } = deps;
  const { clock, onError } = options;
  const definitions = new Map<string, QueueDefinition>();
  const registrations: WorkLoop[] = [];
  // Jobs claimNew inserted as claimed, until their caller completes them.
  const claimedNew = new Map<string, { attempt: number; heartbeatSeconds: number }>();
  // Graceful stops waiting for the last of them.
  const claimedNewWaiters: (() => void)[] = [];
  const timers: NodeJS.Timeout[] = [];
  let started = false;
  let lastHeartbeat = 0;
  const now = () => clock.now().getTime();

  const definition = (name: string): QueueDefinition => {
    const found = definitions.get(name);
    if (found === undefined)
      throw new Error(`queue ${name} was not created in this process (createQueue first)`);
    return found;
  };

  const claim = async (name: string, limit: number): Promise<Claimed[]> => {
    const { groupConcurrency } = definition(name);
    const at = now();
    // Most pumps find nothing due (one follows every result write): a read that uses the ready
    // index answers them without taking the write lock. This process is the only writer, so no
    // job can become due between this read and the claim other than by this process's own sends,
    // which pump again.
    const due = await sql`select 1 from queue_jobs
      where name = ${name} and state = 'queued' and run_after <= ${at} limit 1`.execute(db);
    if (due.rows.length === 0) return [];
    const rows = await db.connection().execute(async (conn) => {
      await sql`begin immediate`.execute(conn);
      try {
        // Within one batch too: a job's rank in its group plus the group's active jobs must stay
        // within the limit, so a batch never takes more of a group than the limit leaves.
        // `candidates`: rank only the first queued jobs (a big run's thousands otherwise are all
        // ranked on every claim); when they do not fill the batch, rank them all, so a job behind
        // a full group still goes.
        const picked = (take: number, candidates?: number) =>
          groupConcurrency === undefined
            ? sql`select id from queue_jobs
                where name = ${name} and state = 'queued' and run_after <= ${at}
                order by run_after, rowid limit ${take}`
            : sql`select c.id from (
                  select q.id, q.group_key, q.run_after, q.seq,
                    row_number() over (partition by q.group_key order by q.run_after, q.seq) as rank
                  from (
                    select j.id, j.group_key, j.run_after, j.rowid as seq from queue_jobs j
                    where j.name = ${name} and j.state = 'queued' and j.run_after <= ${at}
                    order by j.run_after, j.rowid limit ${candidates ?? -1}
                  ) q
                ) c
                left join (
                  select group_key, count(*) as active from queue_jobs
                  where name = ${name} and state = 'active' and group_key is not null
                  group by group_key
                ) a on a.group_key = c.group_key
                where c.group_key is null or c.rank + coalesce(a.active, 0) <= ${groupConcurrency}
                order by c.run_after, c.seq limit ${take}`;
        const claimed = (take: number, candidates?: number) =>
          sql<ClaimedRow>`update queue_jobs
            set state = 'active', attempt = attempt + 1, lease_until = ${at} + heartbeat_ms
            where id in (${picked(take, candidates)})
            returning id, name, data, attempt, heartbeat_ms`.execute(conn);
        const result = await claimed(limit, groupConcurrency === undefined ? undefined : limit * 8);
        if (groupConcurrency !== undefined && result.rows.length < limit)
          result.rows.push(...(await claimed(limit - result.rows.length)).rows);
        await sql`commit`.execute(conn);
        return result.rows;
      } catch (error) {
        await sql`rollback`.execute(conn);
        throw error;
      }
    });
    return rows.map((row) => ({
      job: {
        id: row.id,
        name: row.name,
        data: JSON.parse(row.data) as unknown,
        attempt: row.attempt,
      },
      leaseMs: row.heartbeat_ms,
    }));
  };

  // Fenced by attempt: a result of an attempt whose lease expired and was claimed again is dropped.
  const writeResults = async (items: Omit<JobResult, "name">[]): Promise<void> => {
    const at = now();
    const done = items
      .filter((item) => item.error === undefined)
      .map((item) => `${item.id}:${item.attempt}`);
    const failed = items.filter((item) => item.error !== undefined);
    await db.transaction().execute(async (tx) => {
      if (done.length > 0) {
        await sql`update queue_jobs set state = 'completed', finished_at = ${at}, lease_until = null
          where state = 'active' and id || ':' || attempt in (select value from json_each(${JSON.stringify(done)}))`.execute(
          tx,
        );
      }
      if (failed.length > 0) {
        const byKey = Object.fromEntries(
          failed.map((item) => [`${item.id}:${item.attempt}`, item.error]),
        );
        await sql`update queue_jobs set
            state = case when attempt <= retry_limit then 'queued' else 'failed' end,
            run_after = ${at} + retry_delay_ms,
            finished_at = case when attempt <= retry_limit then null else ${at} end,
            lease_until = null,
            last_error = json_extract(${JSON.stringify(byKey)}, '$."' || id || ':' || attempt || '"')
          where state = 'active'
            and id || ':' || attempt in (select key from json_each(${JSON.stringify(byKey)}))`.execute(
          tx,
        );
      }
    });
  };

  // Claimed jobs still waiting in a batch's buffer hold a lease too: without a heartbeat it would
  // run out while they wait, and the job would be claimed again while this copy still runs later.
  const heartbeat = async (): Promise<void> => {
    const pairs = [...claimedNew].map(([id, { attempt }]) => `${id}:${attempt}`);
    pairs.push(
      ...registrations.flatMap((registration) =>
        registration.holding().map(({ id, attempt }) => `${id}:${attempt}`),
      ),
    );
    if (pairs.length === 0) return;
    await sql`update queue_jobs set lease_until = ${now()} + heartbeat_ms
      where state = 'active' and id || ':' || attempt in (select value from json_each(${JSON.stringify(pairs)}))`.execute(
      db,
    );
  };

  // A job whose lease ran out is a failed attempt: retried while it has retries left.
  const expireLeases = async (): Promise<void> => {
    const at = now();
    await sql`update queue_jobs set
        state = case when attempt <= retry_limit then 'queued' else 'failed' end,
        run_after = ${at} + retry_delay_ms,
        finished_at = case when attempt <= retry_limit then null else ${at} end,
        lease_until = null,
        last_error = 'the worker stopped heartbeating'
      where state = 'active' and lease_until < ${at}`.execute(db);
  };

  const wake = (name: string): void => {
    for (const registration of registrations) {
      if (registration.name === name) void registration.pump();
    }
  };

  const insertJobs = async (
    name: string,
    jobs: { data: unknown; options?: SendOptions; id?: string }[],
  ): Promise<(string | null)[]> => {
    const { retryLimit, retryDelaySeconds = 0, heartbeatSeconds } = definition(name);
    const at = now();
    const rows = jobs.map((job) => ({
      id: job.id ?? randomUUID(),
      data: JSON.stringify(job.data ?? null),
      group: job.options?.group ?? null,
      singleton: job.options?.singletonKey ?? null,
      runAfter: at + (job.options?.startAfterSeconds ?? 0) * 1000,
    }));
    // One statement for the whole batch: a fan-out's step sends thousands of jobs at once.
    const inserted = new Set<string>();
    await db.transaction().execute(async (tx) => {
      for (let from = 0; from < rows.length; from += INSERT_CHUNK) {
        const result = await sql<{ id: string }>`insert or ignore into queue_jobs
          (id, name, data, state, group_key, singleton_key, retry_limit, retry_delay_ms, heartbeat_ms, run_after, created_at)
          select j.value ->> 'id', ${name}, j.value ->> 'data', 'queued', j.value ->> 'group',
            j.value ->> 'singleton', ${retryLimit}, ${retryDelaySeconds * 1000}, ${heartbeatSeconds * 1000},
            j.value ->> 'runAfter', ${at}
          from json_each(${JSON.stringify(rows.slice(from, from + INSERT_CHUNK))}) j
          where true
          returning id`.execute(tx);
        for (const row of result.rows) inserted.add(row.id);
      }
    });
    const ids = rows.map((row) => (inserted.has(row.id) ? row.id : null));
    wake(name);
    return ids;
  };

  const schedulePass = async (): Promise<void> => {
    const schedules = await sql<{
      key: string;
      cron: string;
      tz: string;
      data: string;
      created_at: number;
    }>`
      select key, cron, tz, data, created_at from queue_schedules`.execute(db);
    if (schedules.rows.length === 0) return;
    const at = clock.now();
    const jobs = schedules.rows.flatMap((schedule) => {
      const { after, until } = scheduleWindow(at, new Date(schedule.created_at));
      return dueSlots(schedule.cron, schedule.tz, after, until).map((slot) => ({
        id: scheduleJobId(schedule.key, slot),
        // The key and slot win over fields of the same name in the schedule's data.
        data: {
          ...(JSON.parse(schedule.data) as object),
          key: schedule.key,
          slot: slot.toISOString(),
        },
      }));
    });
    if (jobs.length > 0) await insertJobs(SCHEDULE_QUEUE, jobs);
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

  // Results are written from the next turn of the event loop (GroupCommit), after the pump that
  // follows a handler has already claimed: what a write frees (a group's place, a failed job due
  // again at once) is claimed right after it, not at the next poll. Only in the queues written:
  // pumping every registration after every write cost an empty claim transaction per idle queue
  // (2,600 of a 3,400-target fan-out's 5,900 statements).
  const results = new GroupCommit<JobResult>(async (items) => {
    await writeResults(items);
    const names = new Set(items.map((item) => item.name));
    for (const registration of registrations)
      if (names.has(registration.name)) void registration.pump();
  }, onError);

  return {
    dialect: "sqlite",

    async start() {
      if (started) return;
      for (const statement of SCHEMA) await sql.raw(statement).execute(db);
      started = true;
      every(options.pollSeconds, async () => {
        // What this process holds is alive: refreshed first, so that a stalled event loop (the
        // heartbeat timer late) never makes this process expire its own jobs.
        await heartbeatNow();
        await expireLeases();
        for (const registration of registrations) void registration.pump();
      });
      every(options.schedulePollSeconds, schedulePass);
      // Heartbeats at the shortest held lease's half-life, measured when they run; the tick is fine
      // enough for a short lease (tests use 2 s) to keep most of its other half as margin.
      every(HEARTBEAT_TICK_SECONDS, async () => {
        await heartbeatIfDue();
      });
    },

    async stop(stopOptions = {}) {
      started = false;
      for (const timer of timers.splice(0)) clearInterval(timer);
      for (const registration of registrations) registration.stopped = true;
      // Claimed but never started: back to the queue without spending an attempt.
      const unstarted = registrations.flatMap((registration) => registration.buffer.splice(0));
      if (unstarted.length > 0) {
        await sql`update queue_jobs set state = 'queued', attempt = attempt - 1, lease_until = null
          where state = 'active' and id || ':' || attempt in (select value from json_each(${JSON.stringify(
            unstarted.map(({ job }) => `${job.id}:${job.attempt}`),
          )}))`.execute(db);
      }
      if (stopOptions.graceful === true) {
        await Promise.all(registrations.flatMap((registration) => [...registration.inFlight]));
        if (claimedNew.size > 0)
          await new Promise<void>((resolve) => claimedNewWaiters.push(resolve));
      } else {
        // Their handlers may still finish, but their results are fenced off by the attempt.
        const held = [
          ...registrations.flatMap((registration) =>
            [...registration.held].map(([id, { attempt }]) => [id, attempt] as const),
          ),
          ...[...claimedNew].map(([id, { attempt }]) => [id, attempt] as const),
        ].map(([id, attempt]) => ({ id, attempt, error: "the queue stopped while the job ran" }));
        claimedNew.clear();
        if (held.length > 0) await writeResults(held);
      }
      await results.flushed();
      registrations.splice(0);
    },

    async createQueue(name, queueDefinition) {
      definitions.set(name, queueDefinition);
      await sql`insert into queue_definitions (name, group_concurrency, heartbeat_seconds, retry_limit, retry_delay_seconds)
        values (${name}, ${queueDefinition.groupConcurrency ?? null}, ${queueDefinition.heartbeatSeconds},
          ${queueDefinition.retryLimit}, ${queueDefinition.retryDelaySeconds ?? 0})
        on conflict (name) do update set group_concurrency = excluded.group_concurrency,
          heartbeat_seconds = excluded.heartbeat_seconds, retry_limit = excluded.retry_limit,
          retry_delay_seconds = excluded.retry_delay_seconds`.execute(db);
    },

    async send(name, data, sendOptions) {
      const [id] = await insertJobs(name, [
        sendOptions === undefined ? { data } : { data, options: sendOptions },
      ]);
      return id ?? null;
    },

    async sendMany(name, jobs) {
      if (jobs.length > 0) await insertJobs(name, jobs);
    },

    async claimNew<T>(name: string, data: T, sendOptions: SendOptions = {}) {
      const {
        groupConcurrency,
        retryLimit,
        retryDelaySeconds = 0,
        heartbeatSeconds,
      } = definition(name);
      const id = randomUUID();
      const at = now();
      const group = sendOptions.group ?? null;
      // Inserted active only while its group has room, counted as a claim would count it.
      const inserted = await sql`insert into queue_jobs
          (id, name, data, state, group_key, singleton_key, attempt, retry_limit, retry_delay_ms,
            heartbeat_ms, run_after, lease_until, created_at)
          select ${id}, ${name}, ${JSON.stringify(data ?? null)}, 'active', ${group}, null, 1,
            ${retryLimit}, ${retryDelaySeconds * 1000}, ${heartbeatSeconds * 1000}, ${at},
            ${at + heartbeatSeconds * 1000}, ${at}
          where ${
            group === null || groupConcurrency === undefined
              ? sql`true`
              : sql`(select count(*) from queue_jobs
            where name = ${name} and group_key = ${group} and state = 'active') < ${groupConcurrency}`
          }`.execute(db);
      if (Number(inserted.numAffectedRows ?? 0) === 0) return null;
      claimedNew.set(id, { attempt: 1, heartbeatSeconds });
      return { id, name, data, attempt: 1 };
    },

    complete(job, error) {
      if (!claimedNew.delete(job.id)) throw new Error(`job ${job.id} was not claimed by claimNew`);
      if (claimedNew.size === 0) for (const done of claimedNewWaiters.splice(0)) done();
      results.add(
        error === undefined
          ? { id: job.id, name: job.name, attempt: job.attempt }
          : { id: job.id, name: job.name, attempt: job.attempt, error: errorText(error) },
      );
    },

    async work<T>(name: string, workOptions: WorkOptions, handler: QueueHandler<T>) {
      definition(name);
      const registration = new WorkLoop(
        name,
        workOptions,
        handler as QueueHandler<unknown>,
        (limit) => claim(name, limit),
        results,
        onError,
      );
      registrations.push(registration);
      void registration.pump();
    },

    async schedule(key, cron, data, scheduleOptions) {
      assertCron(cron, scheduleOptions.tz);
      await sql`insert into queue_schedules (key, cron, tz, data, created_at)
        values (${key}, ${cron}, ${scheduleOptions.tz}, ${JSON.stringify(data ?? {})}, ${now()})
        on conflict (key) do update set cron = excluded.cron, tz = excluded.tz, data = excluded.data`.execute(
        db,
      );
    },

    async unschedule(key) {
      await sql`delete from queue_schedules where key = ${key}`.execute(db);
    },
  };

  async function heartbeatIfDue(): Promise<void> {
    let shortestMs = Infinity;
    for (const registration of registrations)
      for (const { leaseMs } of registration.holding()) shortestMs = Math.min(shortestMs, leaseMs);
    for (const { heartbeatSeconds } of claimedNew.values())
      shortestMs = Math.min(shortestMs, heartbeatSeconds * 1000);
    if (shortestMs === Infinity) return;
    if (now() - lastHeartbeat < shortestMs / 2) return;
    await heartbeatNow();
  }

  async function heartbeatNow(): Promise<void> {
    lastHeartbeat = now();
    await heartbeat();
  }
}
