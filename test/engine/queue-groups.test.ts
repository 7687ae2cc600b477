import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { systemClock } from "../../src/clock.js";
import { createDb, type Dialect } from "../../src/db/index.js";
import { createQueue } from "../../src/engine/create-queue.js";
import type { QueueJob } from "../../src/engine/queue.js";
import { createTestDatabase } from "../helpers/databases.js";

const QUEUE = "test.groups";

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

// The SQLite driver ranks only the first queued jobs of a claim for their group's bound: a big
// run's jobs all in one full group must still not hold back another group's job queued behind
// them. (pg-boss filters full groups in its fetch, but a pg-boss batch's handler holds its fetch
// loop until every job of the batch is done, so the same blocking handler would stall it there.)
for (const dialect of ["sqlite"] as Dialect[]) {
  describe(`queue groups [${dialect}]`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    it("runs a job of a free group queued behind many jobs of a full group", async () => {
      const database = await createTestDatabase(dialect);
      cleanups.push(() => database.dispose());
      const handle = createDb(database.config);
      cleanups.push(() => handle.destroy());
      const errors: unknown[] = [];
      const queue = createQueue(
        {
          db: handle.db,
          database: database.config,
          clock: systemClock,
          onError: (error) => errors.push(error),
        },
        { pollSeconds: 0.5, schedulePollSeconds: 0.5, superviseSeconds: 1, poolSize: 4 },
      );
      await queue.start();
      cleanups.push(() => queue.stop({ graceful: false }));
      await queue.createQueue(QUEUE, { heartbeatSeconds: 10, retryLimit: 0, groupConcurrency: 2 });

      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const started: string[] = [];
      let done = 0;
      await queue.work<{ group: string }>(
        QUEUE,
        { batchSize: 2, localConcurrency: 8 },
        async (job: QueueJob<{ group: string }>) => {
          started.push(job.data.group);
          if (job.data.group === "busy") await gate;
          done += 1;
        },
      );
      await queue.sendMany(QUEUE, [
        ...Array.from({ length: 20 }, () => ({
          data: { group: "busy" },
          options: { group: "busy" },
        })),
        { data: { group: "free" }, options: { group: "free" } },
      ]);

      await until("the free group's job", () => started.includes("free"));
      // It ran while the busy group was held at its bound, 18 of its jobs still queued (more than
      // the 16 a claim of 2 ranks first).
      expect(started.filter((g) => g === "busy")).toHaveLength(2);
      release();
      await until("every job", () => done === 21, 60_000);
      expect(errors).toEqual([]);
    });
  });
}
