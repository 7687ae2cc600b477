import { spawn, type ChildProcess } from "node:child_process";
import { Agent, request } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { CallCounters } from "../emulator/knobs/counters.js";
import type { KnobsInput } from "../emulator/knobs/knobs.js";
import type { ControlMessage, ProcessMeasure } from "./process-control.js";
import type { ScriptRun } from "./script-process.js";
import type { CountFinishedRuns, ServerMeasure } from "./server-process.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

type Reply = { id: number; result?: unknown };

/** Messages to a child over IPC, each answered by one message carrying the same id. */
function ipc(child: ChildProcess): (message: Record<string, unknown>) => Promise<unknown> {
  let next = 0;
  const waiting = new Map<number, (result: unknown) => void>();
  child.on("message", (message: Reply) => {
    const resolve = waiting.get(message.id);
    waiting.delete(message.id);
    resolve?.(message.result);
  });
  return (message) =>
    new Promise((resolve) => {
      next += 1;
      waiting.set(next, resolve);
      child.send({ ...message, id: next });
    });
}

/** Waits for the child's first message matching `ready`, or fails with its stderr if it exits first. */
function started<T>(child: ChildProcess, what: string, ready: (message: unknown) => T | undefined) {
  let stderr = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    stderr += chunk;
    if (process.env.BENCH_DEBUG !== undefined) process.stderr.write(chunk);
  });
  return new Promise<T>((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`${what} exited with ${String(code)} before it was ready:\n${stderr}`));
    child.once("exit", onExit);
    const onMessage = (message: unknown) => {
      const value = ready(message);
      if (value === undefined) return;
      child.off("exit", onExit);
      child.off("message", onMessage);
      resolve(value);
    };
    child.on("message", onMessage);
  });
}

function stopped(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

export interface EmulatorProcess {
  url: string;
  port: number;
  pid: number;
  setKnobs(knobs: KnobsInput): Promise<void>;
  counters(): Promise<CallCounters & { processCpuMicros: { user: number; system: number } }>;
  resetCounters(): Promise<void>;
  close(): Promise<void>;
}

/** `emulator/cli.ts` in its own process, its knobs set over IPC and its counters read over HTTP. */
export async function spawnEmulator(worldFile: string): Promise<EmulatorProcess> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(ROOT, "emulator/cli.ts"), "--world", worldFile, "--port", "0"],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe", "ipc"] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let stderr = "";
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.once("exit", (code) =>
      reject(new Error(`emulator exited with ${String(code)}:\n${stderr}`)),
    );
    child.stdout?.setEncoding("utf8");
    let out = "";
    child.stdout?.on("data", (chunk: string) => {
      out += chunk;
      const match = /http:\/\/\S+/.exec(out);
      if (match !== null) resolve(match[0]);
    });
  });
  child.removeAllListeners("exit");
  // A fresh socket per control call: they are minutes apart, and a kept-alive socket the emulator
  // has closed meanwhile (its idle timeout is 5 s) would fail the call with "socket hang up".
  const agent = new Agent({ keepAlive: false, maxSockets: 1 });
  const http = (method: string, path: string) =>
    new Promise<string>((resolve, reject) => {
      const req = request(new URL(path, url), { method, agent }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () => resolve(body));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end();
    });
  const send = ipc(child);
  return {
    url,
    port: Number(new URL(url).port),
    pid: child.pid ?? 0,
    setKnobs: async (knobs) => {
      await send({ setKnobs: knobs });
    },
    counters: async () => JSON.parse(await http("GET", "/_emulator/calls")) as never,
    resetCounters: async () => {
      await http("POST", "/_emulator/reset");
    },
    close: async () => {
      agent.destroy();
      await stopped(child);
    },
  };
}

export interface ServerProcess {
  url: string;
  pid: number;
  useEmulator(url: string): Promise<void>;
  forgetCredentials(connectionIds: string[]): Promise<void>;
  measureStart(): Promise<void>;
  measureStop(): Promise<ServerMeasure>;
  /** The workflow's finished runs by status (read in its database). */
  countFinishedRuns(workflow: string): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export interface ServerOptions {
  /** PostgreSQL instead of a fresh SQLite file. */
  databaseUrl?: string;
  /** false: no in-process workers, worker processes do the work (PostgreSQL). */
  workers?: boolean;
  /** The key store's key (base64, 32 bytes), which worker processes must share. */
  masterKey?: string;
}

type Unsent<M> = M extends { id: number } ? Omit<M, "id"> : never;

/** The control messages every bench process answers (bench/process-control.ts). */
function controls(child: ChildProcess) {
  const send = ipc(child);
  const ask = (message: Unsent<ControlMessage> | CountFinishedRuns) =>
    send(message as unknown as Record<string, unknown>);
  return {
    ask,
    useEmulator: async (url: string) => {
      await ask({ type: "use-emulator", url });
    },
    forgetCredentials: async (connectionIds: string[]) => {
      await ask({ type: "forget-credentials", connectionIds });
    },
    measureStart: async () => {
      await ask({ type: "measure-start" });
    },
    measureStop: async () => (await ask({ type: "measure-stop" })) as ProcessMeasure,
  };
}

function benchEnv(options: ServerOptions): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: "production",
    ...(options.databaseUrl === undefined ? {} : { BENCH_DATABASE_URL: options.databaseUrl }),
    ...(options.workers === false ? { BENCH_NO_WORKERS: "1" } : {}),
    ...(options.masterKey === undefined ? {} : { BENCH_MASTER_KEY: options.masterKey }),
  };
}

/** bench/server-process.ts: the server in its own process, logs to /dev/null. */
export async function spawnServer(
  adminToken: string,
  options: ServerOptions = {},
): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "--expose-gc",
      // e.g. BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server.
      ...(process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter((a) => a !== ""),
      join(ROOT, "bench/server-process.ts"),
    ],
    {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      env: { ...benchEnv(options), BENCH_ADMIN_TOKEN: adminToken },
    },
  );
  const ready = await started(child, "the server", (m) =>
    typeof m === "object" && m !== null && "ready" in m
      ? (m as unknown as { url: string; pid: number })
      : undefined,
  );
  const c = controls(child);
  return {
    url: ready.url,
    pid: ready.pid,
    useEmulator: c.useEmulator,
    forgetCredentials: c.forgetCredentials,
    measureStart: c.measureStart,
    measureStop: c.measureStop,
    countFinishedRuns: async (workflow) =>
      (await c.ask({ type: "count-finished-runs", workflow })) as Record<string, number>,
    close: () => stopped(child),
  };
}

export type WorkerProcess = Omit<ServerProcess, "url" | "countFinishedRuns">;

/** bench/worker-process.ts: a `switchboard worker` in its own process on PostgreSQL, logs to /dev/null. */
export async function spawnWorker(options: {
  databaseUrl: string;
  masterKey: string;
}): Promise<WorkerProcess> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "--expose-gc",
      ...(process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter((a) => a !== ""),
      join(ROOT, "bench/worker-process.ts"),
    ],
    { cwd: ROOT, stdio: ["ignore", "ignore", "pipe", "ipc"], env: benchEnv(options) },
  );
  const ready = await started(child, "a worker", (m) =>
    typeof m === "object" && m !== null && "ready" in m
      ? (m as unknown as { pid: number })
      : undefined,
  );
  const c = controls(child);
  return {
    pid: ready.pid,
    useEmulator: c.useEmulator,
    forgetCredentials: c.forgetCredentials,
    measureStart: c.measureStart,
    measureStop: c.measureStop,
    close: () => stopped(child),
  };
}

export interface ScriptProcess {
  /** Runs the script over its accounts; its wall time and CPU time as the child measured them. */
  run(run: ScriptRun): Promise<{ ok: number; failed: number; wallMs: number; cpuMs: number }>;
  close(): Promise<void>;
}

/** bench/script-process.ts: the hand-written script in its own process, against `emulatorUrl`. */
export async function spawnScript(emulatorUrl: string): Promise<ScriptProcess> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(ROOT, "bench/script-process.ts")],
    {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      env: { ...process.env, BENCH_EMULATOR_URL: emulatorUrl },
    },
  );
  await started(child, "a script process", (m) =>
    typeof m === "object" && m !== null && "ready" in m ? true : undefined,
  );
  const send = ipc(child);
  return {
    run: async (run) => {
      const result = (await send({ run })) as
        { ok: number; failed: number; wallMs: number; cpuMs: number } | { error: string };
      if ("error" in result) throw new Error(`script process: ${result.error}`);
      return result;
    },
    close: () => stopped(child),
  };
}
