import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, migrateToLatest } from "../../src/db/index.js";
import { createTestDatabase, describeEachDatabase } from "../helpers/databases.js";
import { engineStage, type EngineStage } from "./engine-world.js";

const READ = "/api/v1/actions/aws.ecs.listClusters/run";
const body = { connection: "member-1", region: "us-east-1", input: {} };

interface Answer {
  run: { id: string; status: string; durationMs: number };
}

/**
 * On SQLite a single read is answered before its end is written, and one answered within a few
 * milliseconds is written with its end (run-single-action.ts): the write must still come before
 * anything else this process reads, and before it stops; a slower read is on record while out.
 */
describeEachDatabase("a single read answered in its request", (suite) => {
  let stage: EngineStage;
  beforeAll(async () => {
    stage = await engineStage(suite.handle().db, 1);
  });
  afterAll(async () => {
    await stage.close();
  });

  it("is on record, finished as answered, for the very next request", async () => {
    for (let i = 0; i < 5; i++) {
      const ran = await stage.t.call("POST", READ, { body });
      expect(ran.statusCode, ran.body).toBe(200);
      const answer = ran.json<Answer>();
      expect(answer.run.status).toBe("succeeded");
      // Asked at once, in this process, with no wait between.
      const [run, audit] = await Promise.all([
        stage.t.call("GET", `/api/v1/runs/${answer.run.id}`),
        stage.t.call("GET", `/api/v1/audit?objectId=${answer.run.id}&action=action.run`),
      ]);
      expect(run.statusCode, run.body).toBe(200);
      const view = run.json<{
        status: string;
        durationMs: number;
        steps: { status: string }[];
        results?: { status: string }[];
      }>();
      expect(view.status).toBe("succeeded");
      expect(view.durationMs).toBe(answer.run.durationMs);
      expect(view.steps.map((s) => s.status)).toEqual(["succeeded"]);
      expect(view.results?.map((r) => r.status)).toEqual(["succeeded"]);
      expect(audit.json<{ items: { outcome: string }[] }>().items.map((e) => e.outcome)).toEqual([
        "success",
      ]);
    }
  });

  it("is on record, running, while a slow answer is out", async () => {
    stage.emulator.setKnobs({ latencyMs: { ecs: 1_500 } });
    try {
      const asked = stage.t.call("POST", READ, { body });
      let seen: { id: string; status: string } | undefined;
      for (let i = 0; seen === undefined; i++) {
        if (i > 100) throw new Error("the read never showed up while it was out");
        await new Promise((resolve) => setTimeout(resolve, 20));
        const runs = await stage.t.call("GET", "/api/v1/runs?limit=1");
        const [latest] = runs.json<{ items: { id: string; status: string }[] }>().items;
        if (latest?.status === "running") seen = latest;
      }
      const answer = (await asked).json<Answer>();
      expect(answer.run.id).toBe(seen.id);
      expect(answer.run.status).toBe("succeeded");
    } finally {
      stage.emulator.setKnobs({ latencyMs: { ecs: 0 } });
    }
  });
});

describeEachDatabase("a single read answered just before the server stops", (suite) => {
  it("has its end written before the stop is over, its job done", async () => {
    const stage = await engineStage(suite.handle().db, 1);
    let answer: Answer;
    try {
      const ran = await stage.t.call("POST", READ, { body });
      expect(ran.statusCode, ran.body).toBe(200);
      answer = ran.json<Answer>();
    } finally {
      await stage.close();
    }
    const db = suite.handle().db;
    const run = await db
      .selectFrom("runs")
      .select(["status", "duration_ms"])
      .where("id", "=", answer.run.id)
      .executeTakeFirstOrThrow();
    expect(run).toEqual({ status: "succeeded", duration_ms: answer.run.durationMs });
    const targets = await db
      .selectFrom("run_targets")
      .select("status")
      .where("run_id", "=", answer.run.id)
      .execute();
    expect(targets).toEqual([{ status: "succeeded" }]);
    // SQLite's queue (pg-boss keeps its own tables): no job left to run the read again once its
    // lease runs out.
    if (suite.dialect === "sqlite") {
      const held = await sql<{ n: number }>`select count(*) as n from queue_jobs
        where state in ('queued', 'active') and data like ${`%${answer.run.id}%`}`.execute(db);
      expect(Number(held.rows[0]?.n)).toBe(0);
    }
  });
});

// SQLite only: on PostgreSQL a single read goes through the queue, and its end is a worker's.
describe("a single read whose end cannot be written [sqlite]", () => {
  it("is still answered, and its job runs it again once the database takes writes", async () => {
    const database = await createTestDatabase("sqlite");
    const handle = createDb(database.config);
    await migrateToLatest(handle.db);
    const stage = await engineStage(handle.db, 1);
    try {
      // Out long enough to be on record while out; its end then fails twice.
      stage.emulator.setKnobs({ latencyMs: { ecs: 50 } });
      stage.emulator.resetCounters();
      await sql`create trigger refuse_ends before update of status on runs
        when new.status = 'succeeded' begin select raise(abort, 'the disk is full'); end`.execute(
        handle.db,
      );
      const ran = await stage.t.call("POST", READ, { body });
      expect(ran.statusCode, ran.body).toBe(200);
      const id = ran.json<Answer>().run.id;
      for (let i = 0; !stage.t.logs.join("").includes("its job runs the read again"); i++) {
        if (i > 100) throw new Error("the failed end was not logged");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await sql`drop trigger refuse_ends`.execute(handle.db);
      let status = "";
      for (let i = 0; status !== "succeeded"; i++) {
        if (i > 300) throw new Error(`the run is still ${status}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
        status = (await stage.t.call("GET", `/api/v1/runs/${id}`)).json<{ status: string }>()
          .status;
      }
      // Sent again by its job after the failed end (more than once if a retry came before the
      // trigger was dropped): not left running.
      expect(stage.emulator.counters().byOperation["ecs:ListClusters"]).toBeGreaterThanOrEqual(2);
    } finally {
      await stage.close();
      await handle.destroy();
      await database.dispose();
    }
  });
});
