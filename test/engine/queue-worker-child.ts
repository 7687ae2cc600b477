/**
 * A worker process for the queue contract suite: it claims one job of the queue named in its
 * environment, says so on stdout, and hangs in the handler until the test kills it with SIGKILL.
 */
import { systemClock } from "../../src/clock.js";
import type { DatabaseConfig } from "../../src/config.js";
import { createDb } from "../../src/db/index.js";
import { createQueue } from "../../src/engine/create-queue.js";

const database = JSON.parse(process.env.QUEUE_CHILD_DATABASE ?? "") as DatabaseConfig;
const name = process.env.QUEUE_CHILD_QUEUE ?? "";
const heartbeatSeconds = Number(process.env.QUEUE_CHILD_HEARTBEAT_SECONDS);

const handle = createDb(database);
const queue = createQueue(
  { db: handle.db, database, clock: systemClock, onError: (error) => console.error(error) },
  { pollSeconds: 0.5, poolSize: 2 },
);
await queue.start();
await queue.createQueue(name, { heartbeatSeconds, retryLimit: 2 });
await queue.work(name, { batchSize: 1, localConcurrency: 1 }, async (job) => {
  process.stdout.write(`claimed ${job.id} ${job.attempt}\n`);
  await new Promise(() => undefined);
});
process.stdout.write("ready\n");
