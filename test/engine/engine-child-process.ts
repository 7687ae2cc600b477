import { spawn, type ChildProcess } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import type { DatabaseConfig } from "../../src/config.js";
import type { Db } from "../../src/db/index.js";
import type { QueueTuning } from "../../src/engine/index.js";
import { compiled } from "../helpers/compiled-server.js";

/** A run.target job as a child process took it (from its `start` lines). */
export interface ChildJob {
  runId: string;
  idx: number;
  attempt: number;
  /** When the parent read the line. */
  at: number;
}

/** A worker process (engine-child.ts) on the test's database. */
export interface EngineChild {
  pid: number;
  /** The run.target jobs its handler began, in order. */
  started: ChildJob[];
  /** "RUN IDX" of the jobs whose handler returned. */
  ended: Set<string>;
  exited: Promise<void>;
  kill(signal: "SIGKILL" | "SIGTERM"): Promise<void>;
}

export async function until<T>(
  what: string,
  read: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/**
 * Spawns engine-child.ts, compiled as the server is (as the queue contract suite spawns its worker), and resolves once
 * its workers are started. It inherits this process's environment, so call it after
 * useEmulatorAsInstance.
 */
export async function spawnEngineChild(options: {
  database: DatabaseConfig;
  masterKey: string;
  tuning?: Partial<QueueTuning>;
  /** The lease of the engine's jobs (default 10 s; shorter only on SQLite), as the test app's. */
  heartbeatSeconds?: number;
  targetConcurrency?: number;
}): Promise<EngineChild> {
  const child: ChildProcess = spawn(
    process.execPath,
    [await compiled("test/engine/engine-child.ts")],
    {
      env: {
        ...process.env,
        ENGINE_CHILD_DATABASE: JSON.stringify(options.database),
        ENGINE_CHILD_MASTER_KEY: options.masterKey,
        ENGINE_CHILD_TUNING: JSON.stringify(options.tuning ?? {}),
        ENGINE_CHILD_TARGET_CONCURRENCY: String(options.targetConcurrency ?? ""),
        ENGINE_CHILD_HEARTBEAT_SECONDS: String(options.heartbeatSeconds ?? ""),
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let errors = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    const text = chunk.toString();
    // The SDK's warning about Node 20 is not news.
    if (!text.includes("NodeVersionSupportWarning")) errors = (errors + text).slice(-4000);
    process.stderr.write(chunk);
  });
  const started: ChildJob[] = [];
  const ended = new Set<string>();
  let ready = false;
  let rest = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    const lines = (rest + chunk.toString()).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) {
      const [word, runId = "", idx = "", attempt = ""] = line.split(" ");
      if (word === "ready") ready = true;
      if (word === "start")
        started.push({ runId, idx: Number(idx), attempt: Number(attempt), at: Date.now() });
      if (word === "end") ended.add(`${runId} ${idx}`);
    }
  });
  let dead = false;
  let exit = "";
  const exited = new Promise<void>((resolve) =>
    child.on("exit", (code, signal) => {
      dead = true;
      exit = `code ${code}, signal ${signal}`;
      resolve();
    }),
  );
  try {
    await until("the child's workers", () => (ready ? true : dead ? false : undefined), 60_000);
    if (!ready)
      throw new Error(`the engine child exited before its workers started (${exit}): ${errors}`);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  return {
    pid: child.pid ?? 0,
    started,
    ended,
    exited,
    async kill(signal) {
      if (!dead) child.kill(signal);
      await exited;
    },
  };
}

/** Each target of a run as its row is now. */
export async function targetRows(
  db: Db,
  runId: string,
): Promise<
  {
    idx: number;
    step_idx: number;
    status: string;
    connection_name: string;
    region: string;
    error: string | null;
  }[]
> {
  return db
    .selectFrom("run_targets")
    .select(["idx", "step_idx", "status", "connection_name", "region", "error"])
    .where("run_id", "=", runId)
    .orderBy("idx")
    .execute();
}
