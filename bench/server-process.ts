// The Switchboard server of the benchmarks, in its own process: the same parts `switchboard serve`
// assembles (src/main.ts), on a fresh SQLite file (or the PostgreSQL database in
// BENCH_DATABASE_URL), logging at info to its stdout, with the engine's workers in process unless
// BENCH_NO_WORKERS=1 (then bench/worker-process.ts processes do the work). The benchmark talks to
// it over HTTP like any client; an IPC channel only carries what a benchmark needs besides the
// API (bench/process-control.ts), and how many runs of a workflow have finished.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bootstrap } from "../src/access/index.js";
import { loadAccessPolicies } from "../src/actions/index.js";
import { assembleDeps } from "../src/assemble-deps.js";
import { systemClock } from "../src/clock.js";
import { assembleEngine } from "../src/assemble-engine.js";
import type { DatabaseConfig } from "../src/config.js";
import { createDb, migrateToLatest } from "../src/db/index.js";
import { buildApp } from "../src/http/index.js";
import { openKeystore } from "../src/keystore/index.js";
import { createLogger } from "../src/logger.js";
import { ensureSigningKey } from "../src/oidc/index.js";
import { answerControlMessages } from "./process-control.js";

export type {
  ControlMessage as ServerMessage,
  ProcessMeasure as ServerMeasure,
} from "./process-control.js";

/** The finished runs of a workflow, counted by status: the throughput bench polls it. */
export interface CountFinishedRuns {
  type: "count-finished-runs";
  workflow: string;
}

const send = (message: unknown) => process.send?.(message);

const dir = mkdtempSync(join(tmpdir(), "switchboard-bench-"));
const databaseUrl = process.env.BENCH_DATABASE_URL;
const config: DatabaseConfig =
  databaseUrl === undefined || databaseUrl === ""
    ? { dialect: "sqlite", file: join(dir, "switchboard.db") }
    : { dialect: "postgres", url: databaseUrl };
const database = createDb(config);
await migrateToLatest(database.db);
const keystore = await openKeystore(database.db, systemClock, {
  // Worker processes open the same key store: the bench hands every process the same key.
  envKey: process.env.BENCH_MASTER_KEY ?? randomBytes(32).toString("base64"),
  envPreviousKey: undefined,
  dataDir: dir,
});
await ensureSigningKey(keystore);
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
const token = process.env.BENCH_ADMIN_TOKEN ?? "";
await bootstrap(deps, { bootstrapToken: token });
const engine = await assembleEngine({
  db: database.db,
  database: config,
  clock: systemClock,
  keystore,
  credentials: deps.credentials,
  outbound: deps.outbound,
  logger: deps.logger,
});
if (process.env.BENCH_NO_WORKERS !== "1") await engine.startWorkers();
const app = await buildApp({ ...deps, engine, webDir: null });

const FINISHED = ["succeeded", "failed", "partial", "cancelled", "interrupted"] as const;
const control = answerControlMessages({
  name: "server",
  forgetCredentials: (ids) => {
    for (const id of ids) deps.credentials.cache.forget(id);
  },
  extra: async (message) => {
    if (message.type !== "count-finished-runs") return undefined;
    const rows = await database.db
      .selectFrom("runs")
      .select(["status", (eb) => eb.fn.countAll<number>().as("n")])
      .where("workflow_name", "=", String(message.workflow))
      .where("status", "in", [...FINISHED])
      .groupBy("status")
      .execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  },
});
// Time in the server per request (fastify's elapsed time: first byte in to response sent).
app.addHook("onResponse", async (_request, reply) => {
  control.requestMs(reply.elapsedTime);
});
const url = await app.listen({ port: 0, host: "127.0.0.1" });

const stop = (): void => {
  void (async () => {
    await app.close();
    // pg-boss's timers and pool; a job still running after a few seconds is dropped with us.
    await Promise.race([engine.stop(), new Promise((resolve) => setTimeout(resolve, 5000))]);
    deps.outbound.close();
    await database.destroy();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  })();
};
process.on("disconnect", stop);
process.on("SIGTERM", stop);
send({ ready: true, url, pid: process.pid });
