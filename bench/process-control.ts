// What a benchmark asks of a process it spawned (the server, a worker) besides the API, over its
// IPC channel: each message is answered by one message carrying the same id. The process's CPU
// and memory figures during a measured phase, emptying its credential cache between rounds so
// every round pays for its AssumeRoles, and the emulator as its own identity.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { useEmulatorAsInstance } from "../test/helpers/demo-setup.js";

export type ControlMessage =
  | { id: number; type: "use-emulator"; url: string }
  | { id: number; type: "forget-credentials"; connectionIds: string[] }
  | { id: number; type: "measure-start" }
  | { id: number; type: "measure-stop" };

export interface ProcessMeasure {
  cpuMs: number;
  loopBusy: number;
  peakRss: number;
  peakHeap: number;
  baselineRss: number;
  baselineHeap: number;
  /** Median time in the server per API request during the measure (ms); NaN in a worker. */
  requestMedianMs: number;
  /** CPU seconds per thread during the measure. */
  threads: Record<string, number>;
  /**
   * BENCH_COUNT_QUERIES=1: the statements this process sent during the measure, most frequent
   * first; `ms` is the time spent in SQLite's synchronous calls (none for PostgreSQL's).
   */
  queries?: { sql: string; count: number; ms?: number }[];
}

/**
 * BENCH_COUNT_QUERIES=1: counts every statement sent to SQLite (better-sqlite3) and PostgreSQL
 * (pg, which pg-boss uses too) by its text, to say which queries a phase spends its time on.
 */
const queryCounts = new Map<string, { count: number; ms: number }>();
function countQueries(): void {
  const count = (sql: unknown, ms = 0) => {
    const text = String(sql).replace(/\s+/g, " ").trim().slice(0, 140);
    const entry = queryCounts.get(text) ?? { count: 0, ms: 0 };
    entry.count += 1;
    entry.ms += ms;
    queryCounts.set(text, entry);
  };
  const require = createRequire(import.meta.url);
  type Method = (this: { source?: string }, ...args: unknown[]) => unknown;
  const Database = require("better-sqlite3") as new (file: string) => {
    prepare(sql: string): object;
    close(): void;
  };
  const probe = new Database(":memory:");
  const statement = Object.getPrototypeOf(probe.prepare("select 1")) as Record<string, Method>;
  probe.close();
  for (const name of ["run", "get", "all", "iterate"]) {
    const original = statement[name];
    if (original === undefined) continue;
    statement[name] = function (this: { source?: string }, ...args: unknown[]) {
      const t0 = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        count(this.source, performance.now() - t0);
      }
    };
  }
  const pg = require("pg") as { Client: { prototype: Record<string, Method> } };
  const query = pg.Client.prototype.query;
  if (query !== undefined)
    pg.Client.prototype.query = function (this: unknown, ...args: unknown[]) {
      const first = args[0];
      count(typeof first === "string" ? first : (first as { text?: string } | undefined)?.text);
      return query.apply(this as never, args);
    };
}
if (process.env.BENCH_COUNT_QUERIES === "1") countQueries();

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

export interface ControlDeps {
  forgetCredentials(connectionIds: string[]): void;
  /** Names this process's profiles: `<name>-<n>.cpuprofile`. */
  name: string;
  /** Messages of this process's own, answered with what the handler resolves to. */
  extra?: (message: { id: number; type: string } & Record<string, unknown>) => Promise<unknown>;
}

/**
 * Answers the control messages. Returns `requestMs(ms)`, which the server calls per response so
 * the measure has the time spent per request.
 */
export function answerControlMessages(deps: ControlDeps): { requestMs(ms: number): void } {
  let requestMs: number[] = [];
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

  // RSS every 50 ms (one cheap read); the heap's figures, whose gathering cost ~0.5 ms of the
  // measured process's CPU each time, every 500 ms.
  let samples = 0;
  const sample = (): void => {
    if (measuring === undefined) return;
    measuring.peakRss = Math.max(measuring.peakRss, process.memoryUsage.rss());
    if (samples++ % 10 === 0)
      measuring.peakHeap = Math.max(measuring.peakHeap, process.memoryUsage().heapUsed);
  };

  process.on("message", (message: ControlMessage) => {
    switch (message.type) {
      case "use-emulator":
        // The process's own identity: the emulator's IMDS, as on an EC2 instance.
        useEmulatorAsInstance(message.url);
        send({ id: message.id });
        return;
      case "forget-credentials":
        deps.forgetCredentials(message.connectionIds);
        send({ id: message.id });
        return;
      case "measure-start": {
        global.gc?.();
        if (profiler !== undefined)
          void profiler.post("Profiler.enable").then(() => profiler.post("Profiler.start"));
        const m = process.memoryUsage();
        requestMs = [];
        queryCounts.clear();
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
        const result: ProcessMeasure = {
          requestMedianMs,
          cpuMs: (cpu.user + cpu.system) / 1000,
          loopBusy: performance.eventLoopUtilization(measuring.loop).utilization,
          peakRss: measuring.peakRss,
          peakHeap: measuring.peakHeap,
          baselineRss: measuring.baselineRss,
          baselineHeap: measuring.baselineHeap,
          threads,
          ...(process.env.BENCH_COUNT_QUERIES === "1"
            ? {
                queries: [...queryCounts]
                  .sort((a, b) => b[1].count - a[1].count)
                  .slice(0, 25)
                  .map(([sql, { count, ms }]) => ({ sql, count, ms: Math.round(ms) })),
              }
            : {}),
        };
        measuring = undefined;
        if (profiler !== undefined && profileDir !== undefined) {
          void profiler.post("Profiler.stop").then(({ profile }) => {
            profiles += 1;
            writeFileSync(
              join(profileDir, `${deps.name}-${profiles}.cpuprofile`),
              JSON.stringify(profile),
            );
            send({ id: message.id, result });
          });
          return;
        }
        send({ id: message.id, result });
        return;
      }
      default: {
        const extra = message as { id: number; type: string } & Record<string, unknown>;
        void deps.extra?.(extra).then((result) => send({ id: extra.id, result }));
      }
    }
  });
  return {
    requestMs: (ms) => {
      if (measuring !== undefined) requestMs.push(ms);
    },
  };
}
