import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import type { DatabaseConfig } from "../../src/config.js";
import { compiled } from "./compiled-server.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Starts the real `switchboard` CLI as a separate process: the sources as they are now, compiled
 * as `npm run build` compiles them (see compiled-server.ts), and run by plain `node` as the
 * installed command runs. Through tsx each start took more than twice as long.
 */
export async function spawnCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; stdin?: "pipe" | "ignore" } = {},
): Promise<ChildProcess> {
  const entry = await compiled("src/cli/main.ts");
  return spawn(process.execPath, [entry, ...args], {
    cwd: ROOT,
    env: { ...cleanEnv(), ...options.env },
    stdio: [options.stdin ?? "pipe", "pipe", "pipe"],
  });
}

/** Runs the `switchboard` CLI to its end and gives its exit code and output. */
export async function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; stdin?: string } = {},
): Promise<CliResult> {
  const child = await spawnCli(args, options.env === undefined ? {} : { env: options.env });
  return new Promise((resolve, reject) => {
    if (child.stdout === null || child.stderr === null || child.stdin === null) {
      throw new Error("the CLI was started without pipes");
    }
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? "");
  });
}

/** The environment without anything that would point the CLI at a real server or profile. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith("SWITCHBOARD_") || key === "DATABASE_URL" || key === "PORT") delete env[key];
  }
  return env;
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `switchboard serve` on an ephemeral port and waits until it listens. */
export async function startServerProcess(env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  const child = await spawnCli(["serve"], {
    env: { HOST: "127.0.0.1", PORT: "0", ...env },
    stdin: "ignore",
  });
  return new Promise((resolve, reject) => {
    if (child.stdout === null || child.stderr === null) {
      throw new Error("the server was started without pipes");
    }
    let output = "";
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      const match = /switchboard listening on (http:\/\/[\d.]+:\d+)/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve({
          url: match[1],
          child,
          output: () => output,
          stop: (signal = "SIGTERM") => {
            child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
}

/** `switchboard serve` with a bootstrap token on a suite's test database (SQLite file or PostgreSQL). */
export function startServerOnDatabase(
  database: DatabaseConfig,
  env: NodeJS.ProcessEnv,
): Promise<ServerProcess> {
  return startServerProcess({
    SWITCHBOARD_BOOTSTRAP_TOKEN: "sb_test",
    DATABASE_URL: database.dialect === "postgres" ? database.url : `sqlite:${database.file}`,
    ...env,
  });
}

/**
 * The API of a server process as its bootstrap token (`sb_test`) calls it: JSON in and out, and a
 * failed call fails the test with the route and the answer. `urlOf` is read at each call, so a
 * test may restart its server.
 */
export function serverApi(urlOf: () => string) {
  return async <T = unknown>(method: string, route: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${urlOf()}/api/v1${route}`, {
      method,
      headers: {
        authorization: "Bearer sb_test",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    expect(response.ok, `${method} ${route}: ${text}`).toBe(true);
    return (text === "" ? undefined : JSON.parse(text)) as T;
  };
}
