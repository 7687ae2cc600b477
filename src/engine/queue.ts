import { createHash } from "node:crypto";
import { CronExpressionParser } from "cron-parser";

/**
 * The one seam between the engine and a job queue (docs/engine.md). Two drivers implement it:
 * `sqlite-queue.ts` (one process, its own tables in the SQLite file) and `pg-boss-queue.ts`
 * (pg-boss 12 in its own `pgboss` schema); `create-queue.ts` picks one from the database's dialect.
 * `test/engine/queue-contract.test.ts` runs both through one suite.
 *
 * Semantics both drivers keep:
 * - A handler that resolves completes its job; one that throws fails it, and the job runs again
 *   (after `retryDelaySeconds`) until it has been retried `retryLimit` times, so a job runs at most
 *   `retryLimit + 1` times. `attempt` counts from 1 and grows by one for every claim that started
 *   the job, whether the previous attempt threw or its worker died.
 * - While a handler runs, the driver refreshes the job's lease every `heartbeatSeconds / 2`. A job
 *   whose lease is not refreshed for `heartbeatSeconds` is given to another worker as a new
 *   attempt. SQLite notices within its poll interval; pg-boss within its supervise interval
 *   (`superviseSeconds` of the driver), and pg-boss refuses a `heartbeatSeconds` below 10.
 * - `group` bounds the jobs of that group that are active at once by the queue's
 *   `groupConcurrency`, across every worker of the installation. Jobs a worker has claimed for its
 *   batch count as active from the claim until they settle, even those still waiting for one of
 *   the `localConcurrency` slots.
 * - `singletonKey`: a send is dropped (`send` resolves null) while a job with the same key is
 *   queued, waiting for a retry, or active on that queue. A job sent without one never collides.
 * - Results are written in groups: the jobs that settle while a write is in flight go in the next
 *   one, so a batch of 500 fast jobs costs a few statements, not 500.
 * - `data` must survive JSON (both drivers store it as JSON).
 *
 * Schedules. `schedule(key, cron, data, { tz })` fires one job on {@link SCHEDULE_QUEUE} per
 * occurrence ("slot") of the cron expression (5 fields, or 6 with seconds) in `tz`, with data
 * `{ key, slot, ...data }` (`slot` is the occurrence as an ISO string), whatever the number of
 * workers: each slot's job has an id derived from (key, slot) ({@link scheduleJobId}), and the
 * second insert of the same id is dropped by the database. Every started driver runs a schedule
 * pass every few seconds that fires the slots of the last {@link SCHEDULE_WINDOW_SECONDS} seconds,
 * never one from before the schedule was first written. A slot older than that window (everything
 * was down) is never fired: the engine reports missed slots itself. The queue must have been
 * created (`createQueue(SCHEDULE_QUEUE, …)`) before the first pass finds a schedule.
 *
 * Why not pg-boss's own cron (a library fact, read in pg-boss 12.38's timekeeper.js): its pass
 * forwards a job carrying the schedule's `data` and nothing else (the slot it computed is dropped in
 * `onSendIt`), and it deduplicates in 60-second throttle slots, so a handler could not tell which
 * occurrence a job is for and a 6-field expression would fire once a minute. Its missed-slot
 * policy is `skip` (default) or `once` (one job for the latest missed occurrence). The pg-boss
 * driver therefore runs pg-boss with `schedule: false` and the same pass as SQLite, on a table of
 * its own in the `pgboss` schema.
 */
export interface QueueJob<T = unknown> {
  id: string;
  name: string;
  data: T;
  /** Counted from 1. */
  attempt: number;
}

export interface QueueDefinition {
  /** At most this many active jobs per `group` across every worker; unbounded when absent. */
  groupConcurrency?: number;
  /** A job whose lease is not refreshed for this long goes to another worker (pg-boss: >= 10). */
  heartbeatSeconds: number;
  /** How many times a failed job is tried again. */
  retryLimit: number;
  retryDelaySeconds?: number;
}

export interface SendOptions {
  group?: string;
  singletonKey?: string;
  startAfterSeconds?: number;
}

export interface WorkOptions {
  /** Jobs claimed per fetch. */
  batchSize: number;
  /** Handlers of this registration running at once. */
  localConcurrency: number;
}

export type QueueHandler<T> = (job: QueueJob<T>) => Promise<void>;

export interface Queue {
  readonly dialect: "sqlite" | "postgres";
  start(): Promise<void>;
  /**
   * `graceful`: wait for the handlers in flight and the jobs from `claimNew` not yet completed, and
   * write their results; otherwise their jobs go back to the queue as failed attempts.
   */
  stop(options?: { graceful?: boolean }): Promise<void>;
  /** Creates the queue, or updates its definition. Call it in every process before `send` or `work` on that queue. */
  createQueue(name: string, definition: QueueDefinition): Promise<void>;
  /** The job's id, or null when a job with the same `singletonKey` is already queued or active. */
  send<T>(name: string, data: T, options?: SendOptions): Promise<string | null>;
  /** One statement; jobs refused by their `singletonKey` are dropped silently. */
  sendMany<T>(name: string, jobs: { data: T; options?: SendOptions }[]): Promise<void>;
  work<T>(name: string, options: WorkOptions, handler: QueueHandler<T>): Promise<void>;
  /**
   * A job inserted already claimed by this process, for work its caller runs at once (a single
   * action answered in its request), when its group has room; null when it has none, or when the
   * driver cannot (pg-boss: the caller sends the job instead). Until `complete`, it is heartbeated
   * like any claimed job; if this process dies first, it goes to a worker as attempt 2.
   */
  claimNew<T>(name: string, data: T, options?: SendOptions): Promise<QueueJob<T> | null>;
  /** Completes a job from `claimNew`; with an error, fails it, and it runs again as a thrown handler's would. */
  complete(job: QueueJob, error?: unknown): void;
  /** Creates or replaces the schedule `key`. */
  schedule(key: string, cron: string, data: unknown, options: { tz: string }): Promise<void>;
  unschedule(key: string): Promise<void>;
}

/** The queue every schedule fires on. */
export const SCHEDULE_QUEUE = "workflow.schedule";

/** The data of a job on {@link SCHEDULE_QUEUE}: the schedule's data beside its key and slot. */
export type ScheduledJobData = Record<string, unknown> & { key: string; slot: string };

/** How far back a schedule pass looks for slots it has not fired yet. */
export const SCHEDULE_WINDOW_SECONDS = 60;

/** A pass never fires more slots than this per schedule (a per-second expression after a pause). */
const MAX_SLOTS_PER_PASS = 120;

/** Throws cron-parser's error when the expression or the zone cannot be read. */
export function assertCron(cron: string, tz: string): void {
  // cron-parser checks the zone only once it builds a date, hence the next().
  CronExpressionParser.parse(cron, { tz, currentDate: new Date() }).next();
}

/** The occurrences of `cron` in `tz` strictly after `after` and at or before `until`, oldest first. */
export function dueSlots(cron: string, tz: string, after: Date, until: Date): Date[] {
  const interval = CronExpressionParser.parse(cron, { tz, currentDate: after, endDate: until });
  const slots: Date[] = [];
  while (interval.hasNext() && slots.length < MAX_SLOTS_PER_PASS) {
    const slot = interval.next().toDate();
    if (slot.getTime() > until.getTime()) break;
    if (slot.getTime() > after.getTime()) slots.push(slot);
  }
  return slots;
}

/**
 * The id of the job that fires schedule `key` at `slot`: a UUID (version 5 layout) of both, so that
 * every worker's pass computes the same id and the database keeps the first insert only.
 */
export function scheduleJobId(key: string, slot: Date): string {
  const hex = createHash("sha1")
    .update(`switchboard.schedule\u0000${key}\u0000${slot.toISOString()}`)
    .digest("hex");
  const variant = ((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The window a schedule pass at `now` fires, for a schedule first written at `createdAt`. */
export function scheduleWindow(now: Date, createdAt: Date): { after: Date; until: Date } {
  const windowStart = now.getTime() - SCHEDULE_WINDOW_SECONDS * 1000;
  // A slot that fell exactly on the creation instant predates the schedule: strictly after it.
  return { after: new Date(Math.max(windowStart, createdAt.getTime())), until: now };
}

/**
 * Group commit of job results: the results of one turn of the event loop are written together
 * at the next, and those that arrive while a write is in flight go together in the next one. A
 * failed write is reported and its results are dropped: their jobs stay active without a
 * heartbeat, so they come back as a new attempt.
 */
export class GroupCommit<T> {
  #pending: T[] = [];
  #writing: Promise<void> | undefined;

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  add(item: T): void {
    this.#pending.push(item);
    // From the next turn of the event loop: the jobs that end in this one (the targets one commit
    // settled) are written together, instead of the first alone and the others after it.
    this.#writing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
      this.#drain(),
    );
  }

  /** Resolves once every result added so far is written (or reported). */
  async flushed(): Promise<void> {
    while (this.#writing !== undefined) await this.#writing;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        const items = this.#pending;
        this.#pending = [];
        try {
          await this.write(items);
        } catch (error) {
          this.onError(error);
        }
      }
    } finally {
      this.#writing = undefined;
    }
  }
}

/** A handler's error as a job's result keeps it: the stack when there is one. */
export function errorText(thrown: unknown): string {
  return thrown instanceof Error ? (thrown.stack ?? thrown.message) : String(thrown);
}

/**
 * A job a process holds, with its lease: a job keeps the lease it was sent with, even when this
 * process's definition of its queue says otherwise, and is heartbeated at that lease's pace.
 */
export interface Claimed {
  job: QueueJob;
  leaseMs: number;
}

/** A job's outcome, as a driver writes it: completed, or failed with `error`. */
export interface JobResult {
  id: string;
  /** The job's queue: a write wakes the loops of the queues it freed room in. */
  name: string;
  attempt: number;
  error?: string;
}

/**
 * A `work()` registration, the same on both drivers: it claims up to `batchSize` jobs when its
 * buffer is empty and it has a free slot, runs them `localConcurrency` at a time, starts the next
 * one as each ends (a slow job holds its own slot only), and hands each result to the driver's
 * group commit. The driver heartbeats what it holds: running jobs and those waiting in the buffer.
 */
export class WorkLoop {
  /** Running jobs: id → their attempt and lease. */
  readonly held = new Map<string, { attempt: number; leaseMs: number }>();
  /** Claimed, not started yet. */
  readonly buffer: Claimed[] = [];
  running = 0;
  #pumping = false;
  #again = false;
  /** No more claims; a job already running still writes its result. */
  stopped = false;
  readonly inFlight = new Set<Promise<void>>();

  constructor(
    readonly name: string,
    readonly options: WorkOptions,
    readonly handler: QueueHandler<unknown>,
    readonly claim: (limit: number) => Promise<Claimed[]>,
    readonly results: GroupCommit<JobResult>,
    readonly onError: (error: unknown) => void,
  ) {}

  /** Claims and starts jobs while there is room; a call during a claim makes it look again. */
  async pump(): Promise<void> {
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#again = false;
        while (!this.stopped && this.running < this.options.localConcurrency) {
          if (this.buffer.length === 0) {
            const jobs = await this.claim(this.options.batchSize);
            if (jobs.length === 0 || this.stopped) {
              this.buffer.push(...jobs);
              break;
            }
            this.buffer.push(...jobs);
          }
          const claimed = this.buffer.shift();
          if (claimed !== undefined) this.#start(claimed);
        }
      } while (this.#again && !this.stopped);
    } catch (error) {
      this.onError(error);
    } finally {
      this.#pumping = false;
    }
  }

  /** The attempts this loop holds, running or buffered, with their leases: what a heartbeat refreshes. */
  holding(): { id: string; attempt: number; leaseMs: number }[] {
    return [
      ...[...this.held].map(([id, { attempt, leaseMs }]) => ({ id, attempt, leaseMs })),
      ...this.buffer.map(({ job, leaseMs }) => ({ id: job.id, attempt: job.attempt, leaseMs })),
    ];
  }

  #start({ job, leaseMs }: Claimed): void {
    this.running += 1;
    this.held.set(job.id, { attempt: job.attempt, leaseMs });
    const run = (async () => {
      let error: string | undefined;
      try {
        await this.handler(job);
      } catch (thrown) {
        error = errorText(thrown);
      }
      this.held.delete(job.id);
      this.running -= 1;
      this.results.add(
        error === undefined
          ? { id: job.id, name: job.name, attempt: job.attempt }
          : { id: job.id, name: job.name, attempt: job.attempt, error },
      );
      void this.pump();
    })();
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }
}
