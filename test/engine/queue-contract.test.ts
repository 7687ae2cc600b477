import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { systemClock } from "../../src/clock.js";
import { createDb, type DbHandle, type Dialect } from "../../src/db/index.js";
import { createQueue, type QueueTuning } from "../../src/engine/create-queue.js";
import {
  SCHEDULE_QUEUE,
  type Queue,
  type QueueJob,
  type ScheduledJobData,
} from "../../src/engine/queue.js";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.js";
import { compiled } from "../helpers/compiled-server.js";

/** A fresh database per test, and as many queue instances on it as the test asks for. */
interface Harness {
  dialect: Dialect;
  database: TestDatabase;
  /**
   * A new driver instance on the test's database: on PostgreSQL another pg-boss, i.e. another
   * worker; on SQLite another instance on the test's one connection, as a process has one.
   */
  queue(tuning?: Partial<QueueTuning>): Promise<Queue>;
  errors: unknown[];
}

const FAST: Partial<QueueTuning> = {
  pollSeconds: 0.5,
  schedulePollSeconds: 0.5,
  superviseSeconds: 1,
  poolSize: 4,
};
const QUEUE = "test.jobs";
const DEFINITION = { heartbeatSeconds: 10, retryLimit: 2 };

async function until<T>(what: string, read: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The contract every driver keeps, run once per dialect (as Hono runs every router through one suite). */
function queueContract(dialect: Dialect): void {
  describe(`queue contract [${dialect}]`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    async function harness(): Promise<Harness> {
      const database = await createTestDatabase(dialect);
      cleanups.push(() => database.dispose());
      const errors: unknown[] = [];
      // SQLite: better-sqlite3 waits for a lock synchronously (busy_timeout, 5 s), so two
      // connections in one process stall each other whenever one waits for a lock the other holds
      // between two awaits of its transaction. A SQLite process has one connection, shared by
      // everything in it: instances of one test share one too (another process is another worker).
      let sqliteHandle: DbHandle | undefined;
      return {
        dialect,
        database,
        errors,
        async queue(tuning = {}) {
          const shared = dialect === "sqlite" ? sqliteHandle : undefined;
          const handle = shared ?? createDb(database.config);
          if (dialect === "sqlite") sqliteHandle = handle;
          const queue = createQueue(
            {
              db: handle.db,
              database: database.config,
              clock: systemClock,
              onError: (error) => errors.push(error),
            },
            { ...FAST, ...tuning },
          );
          await queue.start();
          cleanups.push(async () => {
            await queue.stop({ graceful: false });
            if (shared === undefined) await handle.destroy();
          });
          return queue;
        },
      };
    }

    it("runs a sent job once with its data and attempt 1, and frees its singleton key when it completes", async () => {
      const h = await harness();
      const queue = await h.queue();
      await queue.createQueue(QUEUE, DEFINITION);
      const seen: QueueJob<{ n: number }>[] = [];
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const first = await queue.send(QUEUE, { n: 1 }, { singletonKey: "run-1" });
      expect(first).toEqual(expect.any(String));
      expect(await queue.send(QUEUE, { n: 2 }, { singletonKey: "run-1" })).toBeNull();
      await queue.work<{ n: number }>(
        QUEUE,
        { batchSize: 10, localConcurrency: 2 },
        async (job) => {
          seen.push(job);
          if (job.data.n === 1) await gate;
        },
      );
      await until("the first job", () => (seen.length > 0 ? true : undefined));
      // Active still holds the key.
      expect(await queue.send(QUEUE, { n: 3 }, { singletonKey: "run-1" })).toBeNull();
      release();
      const third = await (async () => {
        const deadline = Date.now() + 20_000;
        for (;;) {
          const id = await queue.send(QUEUE, { n: 4 }, { singletonKey: "run-1" });
          if (id !== null || Date.now() > deadline) return id;
          await sleep(100);
        }
      })();
      expect(third).toEqual(expect.any(String));
      await until("the second job", () => (seen.length === 2 ? true : undefined));
      expect(seen.map((job) => [job.id, job.name, job.data, job.attempt])).toEqual([
        [first, QUEUE, { n: 1 }, 1],
        [third, QUEUE, { n: 4 }, 1],
      ]);
      await sleep(1500);
      expect(seen).toHaveLength(2);
      expect(h.errors).toEqual([]);
    });

    it("retries a failing job up to retryLimit, counting attempts from 1", async () => {
      const h = await harness();
      // SQLite: no poll comes during the test, so a failed job due again at once is taken as its
      // failure is written (a worker pumps after each write), not by the next poll.
      const queue = await h.queue(h.dialect === "sqlite" ? { pollSeconds: 600 } : {});
      await queue.createQueue(QUEUE, { heartbeatSeconds: 10, retryLimit: 2 });
      const attempts: number[] = [];
      await queue.work(QUEUE, { batchSize: 5, localConcurrency: 1 }, async (job) => {
        attempts.push(job.attempt);
        throw new Error("always");
      });
      await queue.send(QUEUE, { n: 1 });
      await until("three attempts", () => (attempts.length >= 3 ? true : undefined));
      await sleep(2000);
      expect(attempts).toEqual([1, 2, 3]);
    });

    it("holds a job sent with startAfterSeconds until then", async () => {
      const h = await harness();
      const queue = await h.queue();
      await queue.createQueue(QUEUE, DEFINITION);
      const received: number[] = [];
      await queue.work(QUEUE, { batchSize: 5, localConcurrency: 1 }, async () => {
        received.push(Date.now());
      });
      const sentAt = Date.now();
      await queue.send(QUEUE, {}, { startAfterSeconds: 3 });
      const at = await until("the delayed job", () => received[0]);
      expect(at - sentAt).toBeGreaterThanOrEqual(2500);
    });

    it("a job that does not end holds its own slot only: the jobs claimed with it and those after it all run", async () => {
      const h = await harness();
      const queue = await h.queue();
      await queue.createQueue(QUEUE, DEFINITION);
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const done = new Set<number>();
      // Sent first, so that it is claimed in the first batch, with three others.
      await queue.send(QUEUE, { n: 0 });
      await queue.sendMany(
        QUEUE,
        Array.from({ length: 11 }, (_, k) => ({ data: { n: k + 1 } })),
      );
      await queue.work<{ n: number }>(QUEUE, { batchSize: 4, localConcurrency: 2 }, async (job) => {
        if (job.data.n === 0) await gate;
        done.add(job.data.n);
      });
      await until("the eleven other jobs", () => (done.size === 11 ? true : undefined));
      expect(done.has(0)).toBe(false);
      release();
      await until("the job that waited", () => (done.size === 12 ? true : undefined));
      expect(h.errors).toEqual([]);
    });

    if (dialect === "postgres")
      it("a send from another worker wakes this one at once (NOTIFY), not at its next poll", async () => {
        const h = await harness();
        // A poll that never comes within the test.
        const worker = await h.queue({ pollSeconds: 600 });
        const sender = await h.queue();
        for (const q of [worker, sender]) await q.createQueue(QUEUE, DEFINITION);
        const seen: number[] = [];
        await worker.work<{ n: number }>(
          QUEUE,
          { batchSize: 10, localConcurrency: 2 },
          async (job) => {
            seen.push(job.data.n);
          },
        );
        await sleep(500);
        await sender.send(QUEUE, { n: 1 });
        await until("the job sent by the other worker", () =>
          seen.length === 1 ? true : undefined,
        );
        expect(seen).toEqual([1]);
        expect(h.errors).toEqual([]);
      });

    it("never runs more jobs of one group than groupConcurrency across two workers, and runs them all", async () => {
      const h = await harness();
      const limit = 2;
      // SQLite: two registrations in one process; PostgreSQL: two pg-boss instances.
      const first = await h.queue();
      const second = h.dialect === "postgres" ? await h.queue() : first;
      for (const queue of new Set([first, second])) {
        await queue.createQueue(QUEUE, { ...DEFINITION, groupConcurrency: limit });
      }
      const active = new Map<string, number>();
      const most = new Map<string, number>();
      let done = 0;
      const handler = async (job: QueueJob<{ group: string }>) => {
        const { group } = job.data;
        const now = (active.get(group) ?? 0) + 1;
        active.set(group, now);
        most.set(group, Math.max(most.get(group) ?? 0, now));
        await sleep(20 + Math.random() * 40);
        active.set(group, (active.get(group) ?? 1) - 1);
        done += 1;
      };
      await first.work(QUEUE, { batchSize: 10, localConcurrency: 8 }, handler);
      await second.work(QUEUE, { batchSize: 10, localConcurrency: 8 }, handler);
      const jobs = [
        ...Array.from({ length: 40 }, () => ({
          data: { group: "acct-1/eu-west-1/ec2" },
          options: { group: "acct-1/eu-west-1/ec2" },
        })),
        ...Array.from({ length: 20 }, () => ({
          data: { group: "acct-2/us-east-1/s3" },
          options: { group: "acct-2/us-east-1/s3" },
        })),
      ];
      await first.sendMany(QUEUE, jobs);
      await until("every job", () => (done === jobs.length ? true : undefined), 60_000);
      expect(Math.max(...most.values())).toBeLessThanOrEqual(limit);
      expect(h.errors).toEqual([]);
    });

    it("claims a job for its caller as it is created, within its group's bound, heartbeated until completed; a failed one runs again on a worker as attempt 2 (pg-boss never claims new jobs)", async () => {
      const h = await harness();
      const queue = await h.queue();
      await queue.createQueue(QUEUE, {
        heartbeatSeconds: h.dialect === "postgres" ? 10 : 2,
        retryLimit: 2,
        groupConcurrency: 2,
      });
      const first = await queue.claimNew(QUEUE, { n: 1 }, { group: "g" });
      if (h.dialect === "postgres") {
        expect(first).toBeNull();
        return;
      }
      const second = await queue.claimNew(QUEUE, { n: 2 }, { group: "g" });
      expect([first?.attempt, second?.attempt]).toEqual([1, 1]);
      // The group is at its bound: nothing more is claimed, as a worker's claim would not be.
      expect(await queue.claimNew(QUEUE, { n: 3 }, { group: "g" })).toBeNull();
      const seen: QueueJob[] = [];
      await queue.work(QUEUE, { batchSize: 5, localConcurrency: 5 }, async (job) => {
        seen.push(job);
      });
      // Held past its lease (2 s): heartbeated, so no worker is given it.
      await sleep(3_000);
      expect(seen).toEqual([]);
      if (first === null || second === null) throw new Error("unreachable");
      queue.complete(first);
      // Its completion is written by group commit: the place in the group frees soon after.
      let third: QueueJob | null = null;
      for (let i = 0; i < 100 && third === null; i += 1) {
        third = await queue.claimNew(QUEUE, { n: 3 }, { group: "g" });
        if (third === null) await sleep(50);
      }
      if (third === null) throw new Error("the completed job never freed its place in its group");
      queue.complete(third);
      queue.complete(second, new Error("the caller failed"));
      const again = await until("the failed job on a worker", () => seen[0], 20_000);
      expect([again.id, again.attempt, again.data]).toEqual([second.id, 2, { n: 2 }]);
      await sleep(500);
      expect(seen.map((job) => job.id)).toEqual([second.id]);
      expect(h.errors).toEqual([]);
    });

    it("gives the job of a worker killed mid-handler to another worker as attempt 2", async () => {
      const h = await harness();
      const heartbeatSeconds = h.dialect === "postgres" ? 10 : 2;
      const queue = await h.queue();
      await queue.createQueue(QUEUE, { heartbeatSeconds, retryLimit: 2 });
      const id = await queue.send(QUEUE, { n: 1 });
      const child = spawn(process.execPath, [await compiled("test/engine/queue-worker-child.ts")], {
        env: {
          ...process.env,
          QUEUE_CHILD_DATABASE: JSON.stringify(h.database.config),
          QUEUE_CHILD_QUEUE: QUEUE,
          QUEUE_CHILD_HEARTBEAT_SECONDS: String(heartbeatSeconds),
        },
        stdio: ["ignore", "pipe", "inherit"],
      });
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise((resolve) => child.on("exit", resolve));
      try {
        await until(
          "the child's claim",
          () => (output.includes(`claimed ${id} 1`) ? true : undefined),
          30_000,
        );
      } finally {
        child.kill("SIGKILL");
      }
      await exited;
      const seen: QueueJob[] = [];
      await queue.work(QUEUE, { batchSize: 1, localConcurrency: 1 }, async (job) => {
        seen.push(job);
      });
      const job = await until("the job again", () => seen[0], 30_000);
      expect([job.id, job.attempt]).toEqual([id, 2]);
    });

    it("fires one job per schedule slot with data {key, slot, ...data} whatever the number of workers", async () => {
      const h = await harness();
      const first = await h.queue();
      const second = await h.queue();
      for (const queue of [first, second]) await queue.createQueue(SCHEDULE_QUEUE, DEFINITION);
      const fired: QueueJob<ScheduledJobData>[] = [];
      for (const queue of [first, second]) {
        await queue.work<ScheduledJobData>(
          SCHEDULE_QUEUE,
          { batchSize: 10, localConcurrency: 2 },
          async (job) => {
            fired.push(job);
          },
        );
      }
      // Every second, so the test sees several slots in a few seconds.
      await first.schedule(
        "wf-nightly",
        "* * * * * *",
        { workflowId: "wf_1" },
        { tz: "Europe/Paris" },
      );
      await until("three slots", () => (fired.length >= 3 ? true : undefined));
      await first.unschedule("wf-nightly");
      await sleep(2000);
      const slots = fired.map((job) => job.data.slot).sort();
      expect(new Set(slots).size).toBe(slots.length);
      for (const job of fired) {
        expect(job.data).toEqual({ key: "wf-nightly", slot: job.data.slot, workflowId: "wf_1" });
        expect(new Date(job.data.slot).getMilliseconds()).toBe(0);
      }
      // No gap between the first and the last slot fired.
      const times = slots.map((slot) => Date.parse(slot));
      expect(times.at(-1)! - times[0]!).toBe((times.length - 1) * 1000);
      const count = fired.length;
      await sleep(2000);
      expect(fired).toHaveLength(count);
      expect(h.errors).toEqual([]);
    });
  });
}

for (const dialect of DIALECTS) queueContract(dialect);
