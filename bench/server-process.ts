// The Switchboard server of the benchmarks, in its own process: the same parts `switchboard serve`
// assembles (src/main.ts), on a fresh SQLite file, logging at info to its stdout. The benchmark
// talks to it over HTTP like any client; an IPC channel only carries what a benchmark needs
// besides the API: this process's CPU and memory figures, and emptying the credential cache
// between rounds so every round pays for its AssumeRoles.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bootstrap } from "../src/access/index.js";
import { loadAccessPolicies } from "../src/actions/index.js";
import { assembleDeps } from "../src/assemble-deps.js";
import { systemClock } from "../src/clock.js";
import { assembleEngine } from "../src/assemble-engine.js";
import { createDb, databaseConfigOf, migrateToLatest } from "../src/db/index.js";
import { buildApp } from "../src/http/index.js";
import { openKeystore } from "../src/keystore/index.js";
import { createLogger } from "../src/logger.js";
import { ensureSigningKey } from "../src/oidc/index.js";
import { useEmulatorAsInstance } from "../test/helpers/demo-setup.js";

export type ServerMessage =
  | { id: number; type: "use-emulator"; url: string }
  | { id: number; type: "forget-credentials"; connectionIds: string[] }
  | { id: number; type: "measure-start" }
  | { id: number; type: "measure-stop" };

export interface ServerMeasure {
  cpuMs: number;
  loopBusy: number;
  peakRss: number;
  peakHeap: number;
  baselineRss: number;
  baselineHeap: number;
  /** Median time in the server per API request during the measure (ms). */
  requestMedianMs: number;
  /** CPU seconds per thread during the measure. */
  threads: Record<string, number>;
}

const send = (message: unknown) => process.send?.(message);

/** CPU seconds per thread name (Linux /proc), to tell the main thread from GC and libuv threads. */
function threadCpu(): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const task of readdirSync("/proc/self/task")) {
      const stat = readFileSync(`/proc/self/task/${task}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const ticks = Number(fields[11]) + Number(fields[12]);
      const key = task === String(process.pid) ? "main" : name;
      out[key] = (out[key] ?? 0) + ticks / 100;
    }
  } catch {
    // Not Linux: no breakdown.
  }
  return out;
}
const dir = mkdtempSync(join(tmpdir(), "switchboard-bench-"));
const database = createDb({ dialect: "sqlite", file: join(dir, "switchboard.db") });
await migrateToLatest(database.db);
const keystore = await openKeystore(database.db, systemClock, {
  envKey: randomBytes(32).toString("base64"),
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
  database: databaseConfigOf(database.db),
  clock: systemClock,
  keystore,
  credentials: deps.credentials,
  outbound: deps.outbound,
  logger: deps.logger,
});
await engine.startWorkers();
const app = await buildApp({ ...deps, engine, webDir: null });
// Time in the server per request (fastify's elapsed time: first byte in to response sent).
let requestMs: number[] = [];
app.addHook("onResponse", async (_request, reply) => {
  if (measuring !== undefined) requestMs.push(reply.elapsedTime);
});
const url = await app.listen({ port: 0, host: "127.0.0.1" });

let measuring:
  | {
      cpu: NodeJS.CpuUsage;
      threads: Record<string, number>;
      loop: ReturnType<typeof performance.eventLoopUtilization>;
      timer: NodeJS.Timeout;
      peakRss: number;
      peakHeap: number;
      baselineRss: number;
      baselineHeap: number;
    }
  | undefined;

// BENCH_PROFILE_DIR=/tmp/x: a CPU profile of each measured phase (not of start-up or warm-up),
// for Chrome DevTools or any .cpuprofile reader.
const profileDir = process.env.BENCH_PROFILE_DIR;
const profiler = profileDir === undefined ? undefined : new Session();
profiler?.connect();
let profiles = 0;

function sample(): void {
  if (measuring === undefined) return;
  const m = process.memoryUsage();
  measuring.peakRss = Math.max(measuring.peakRss, m.rss);
  measuring.peakHeap = Math.max(measuring.peakHeap, m.heapUsed);
}

process.on("message", (message: ServerMessage) => {
  switch (message.type) {
    case "use-emulator":
      // The server's own identity: the emulator's IMDS, as on an EC2 instance.
      useEmulatorAsInstance(message.url);
      send({ id: message.id });
      return;
    case "forget-credentials":
      for (const id of message.connectionIds) deps.credentials.cache.forget(id);
      send({ id: message.id });
      return;
    case "measure-start": {
      global.gc?.();
      if (profiler !== undefined)
        void profiler.post("Profiler.enable").then(() => profiler.post("Profiler.start"));
      const m = process.memoryUsage();
      measuring = {
        cpu: process.cpuUsage(),
        threads: threadCpu(),
        loop: performance.eventLoopUtilization(),
        timer: setInterval(sample, 50),
        peakRss: m.rss,
        peakHeap: m.heapUsed,
        baselineRss: m.rss,
        baselineHeap: m.heapUsed,
      };
      send({ id: message.id });
      return;
    }
    case "measure-stop": {
      if (measuring === undefined) throw new Error("measure-stop without measure-start");
      sample();
      clearInterval(measuring.timer);
      const cpu = process.cpuUsage(measuring.cpu);
      const before = measuring.threads;
      const threads = Object.fromEntries(
        Object.entries(threadCpu()).map(([k, v]) => [
          k,
          Math.round((v - (before[k] ?? 0)) * 100) / 100,
        ]),
      );
      requestMs.sort((a, b) => a - b);
      const requestMedianMs = requestMs[Math.floor((requestMs.length - 1) / 2)] ?? Number.NaN;
      requestMs = [];
      const result: ServerMeasure = {
        requestMedianMs,
        cpuMs: (cpu.user + cpu.system) / 1000,
        loopBusy: performance.eventLoopUtilization(measuring.loop).utilization,
        peakRss: measuring.peakRss,
        peakHeap: measuring.peakHeap,
        baselineRss: measuring.baselineRss,
        baselineHeap: measuring.baselineHeap,
        threads,
      };
      measuring = undefined;
      if (profiler !== undefined && profileDir !== undefined) {
        void profiler.post("Profiler.stop").then(({ profile }) => {
          profiles += 1;
          writeFileSync(join(profileDir, `server-${profiles}.cpuprofile`), JSON.stringify(profile));
          send({ id: message.id, result });
        });
        return;
      }
      send({ id: message.id, result });
      return;
    }
  }
});

const stop = (): void => {
  void (async () => {
    await app.close();
    deps.outbound.close();
    await database.destroy();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  })();
};
process.on("disconnect", stop);
process.on("SIGTERM", stop);
send({ ready: true, url, pid: process.pid });
