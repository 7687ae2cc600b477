// A `switchboard worker` of the benchmarks, in its own process: what startWorker (src/main.ts)
// assembles — no HTTP, only the engine's jobs — on the PostgreSQL database in BENCH_DATABASE_URL,
// with the key store's key in BENCH_MASTER_KEY (the server's), logging at info to its stdout. The
// bench asks it over IPC (bench/process-control.ts) for its CPU and memory figures and to empty
// its credential cache between rounds.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadAccessPolicies } from "../src/actions/index.js";
import { assembleDeps } from "../src/assemble-deps.js";
import { assembleEngine } from "../src/assemble-engine.js";
import { systemClock } from "../src/clock.js";
import type { DatabaseConfig } from "../src/config.js";
import { createDb } from "../src/db/index.js";
import { openKeystore } from "../src/keystore/index.js";
import { createLogger } from "../src/logger.js";
import { answerControlMessages } from "./process-control.js";

const url = process.env.BENCH_DATABASE_URL ?? "";
const masterKey = process.env.BENCH_MASTER_KEY ?? "";
if (url === "" || masterKey === "")
  throw new Error("a bench worker needs BENCH_DATABASE_URL and BENCH_MASTER_KEY");
const dir = mkdtempSync(join(tmpdir(), "switchboard-bench-worker-"));
const config: DatabaseConfig = { dialect: "postgres", url };
const database = createDb(config);
// The server process has migrated the database already.
const keystore = await openKeystore(database.db, systemClock, {
  envKey: masterKey,
  envPreviousKey: undefined,
  dataDir: dir,
});
await loadAccessPolicies();
const deps = assembleDeps({
  db: database.db,
  clock: systemClock,
  keystore,
  logger: createLogger("info"),
  publicUrl: "http://127.0.0.1",
  oidcIssuer: "https://switchboard.bench",
  sessionMaxAgeSeconds: 3600,
  dev: false,
  version: "bench",
});
const engine = await assembleEngine({
  db: database.db,
  database: config,
  clock: systemClock,
  keystore,
  credentials: deps.credentials,
  outbound: deps.outbound,
  logger: deps.logger,
});
await engine.startWorkers();
answerControlMessages({
  name: `worker-${process.pid}`,
  forgetCredentials: (ids) => {
    for (const id of ids) deps.credentials.cache.forget(id);
  },
});

const stop = (): void => {
  void (async () => {
    await Promise.race([engine.stop(), new Promise((resolve) => setTimeout(resolve, 5000))]);
    deps.outbound.close();
    await database.destroy();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  })();
};
process.on("disconnect", stop);
process.on("SIGTERM", stop);
process.send?.({ ready: true, pid: process.pid });
