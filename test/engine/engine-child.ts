/**
 * A worker process for the engine's durability tests: a whole engine (as `switchboard worker`
 * assembles it) on the test's database, with its workers started. Each run.target job it takes is
 * written on stdout as `start RUN IDX ATTEMPT` when its handler begins and `end RUN IDX` when the
 * handler returns, so the test knows which process ran what; the test may SIGKILL it at any time.
 *
 * Environment: ENGINE_CHILD_DATABASE (a DatabaseConfig as JSON), ENGINE_CHILD_MASTER_KEY (the
 * keystore's key, as the test app's), ENGINE_CHILD_TUNING (QueueTuning as JSON, optional),
 * ENGINE_CHILD_TARGET_CONCURRENCY (optional), ENGINE_CHILD_HEARTBEAT_SECONDS (the jobs' lease,
 * optional), and the AWS variables useEmulatorAsInstance set in the parent.
 */
import { Writable } from "node:stream";
import { loadAccessPolicies } from "../../src/actions/index.js";
import { assembleDeps } from "../../src/assemble-deps.js";
import { assembleEngine } from "../../src/assemble-engine.js";
import { systemClock } from "../../src/clock.js";
import type { DatabaseConfig } from "../../src/config.js";
import { createDb } from "../../src/db/index.js";
import type { QueueTuning } from "../../src/engine/index.js";
import type { QueueHandler, QueueJob } from "../../src/engine/queue.js";
import { RUN_TARGET_QUEUE, type RunTargetJob } from "../../src/engine/queues.js";
import { openKeystore } from "../../src/keystore/index.js";
import { createLogger } from "../../src/logger.js";

const database = JSON.parse(process.env.ENGINE_CHILD_DATABASE ?? "") as DatabaseConfig;
const tuning = JSON.parse(process.env.ENGINE_CHILD_TUNING ?? "{}") as Partial<QueueTuning>;
const heartbeatSeconds = process.env.ENGINE_CHILD_HEARTBEAT_SECONDS ?? "";

// Warnings and errors only, on stderr: stdout carries the job lines the test reads.
const logger = createLogger(
  "warn",
  new Writable({
    write(chunk: Buffer, _encoding, callback) {
      process.stderr.write(chunk);
      callback();
    },
  }),
);
const handle = createDb(database);
const keystore = await openKeystore(handle.db, systemClock, {
  envKey: process.env.ENGINE_CHILD_MASTER_KEY ?? "",
  envPreviousKey: undefined,
  dataDir: "/nonexistent",
});
await loadAccessPolicies();
const deps = assembleDeps({
  db: handle.db,
  clock: systemClock,
  keystore,
  logger,
  publicUrl: "http://switchboard.test",
  oidcIssuer: "https://switchboard.test",
  sessionMaxAgeSeconds: 3600,
  dev: false,
  version: "test",
});
const engine = await assembleEngine({
  db: handle.db,
  database,
  clock: systemClock,
  keystore,
  credentials: deps.credentials,
  outbound: deps.outbound,
  logger,
  queueTuning: tuning,
  ...(heartbeatSeconds === "" ? {} : { heartbeatSeconds: Number(heartbeatSeconds) }),
});

// Only the test's view of which process ran which target: the engine's handler runs unchanged.
const queue = engine.deps.queue;
const work = queue.work.bind(queue);
queue.work = <T>(name: string, options: Parameters<typeof work>[1], handler: QueueHandler<T>) =>
  work<T>(name, options, async (job: QueueJob<T>) => {
    if (name !== RUN_TARGET_QUEUE) return handler(job);
    const { runId, idx } = job.data as RunTargetJob;
    process.stdout.write(`start ${runId} ${idx} ${job.attempt}\n`);
    await handler(job);
    process.stdout.write(`end ${runId} ${idx}\n`);
  });

const targetConcurrency = Number(process.env.ENGINE_CHILD_TARGET_CONCURRENCY ?? "");
await engine.startWorkers(
  Number.isInteger(targetConcurrency) && targetConcurrency > 0 ? { targetConcurrency } : {},
);
process.stdout.write("ready\n");
// The queue's timers are unref'd (a server's listener keeps it up): this process has no listener.
setInterval(() => undefined, 60_000);

process.on("SIGTERM", () => {
  void engine.stop().then(async () => {
    deps.outbound.close();
    await handle.destroy();
    process.exit(0);
  });
});
