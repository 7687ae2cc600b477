import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import type { Db } from "../../src/db/index.js";
import { pruneRuns } from "../../src/runs/index.js";
import { describeEachDatabase } from "../helpers/databases.js";
import {
  engineStage,
  saveWorkflow,
  startWorkflow,
  waitForRun,
  type EngineStage,
} from "./engine-world.js";

const DAY_MS = 86_400_000;
const NOW = new Date("2026-06-15T12:00:00.000Z");
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

async function orgId(db: Db): Promise<string> {
  const org = await db
    .selectFrom("orgs")
    .select("id")
    .where("name", "=", "default")
    .executeTakeFirstOrThrow();
  return org.id;
}

/** Runs written directly, each with one step, one target and (every other run) one failed attempt. */
async function insertRuns(
  db: Db,
  org: string,
  prefix: string,
  count: number,
  finishedAt: string | null,
): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(5, "0")}`);
  for (let at = 0; at < ids.length; at += 100) {
    const chunk = ids.slice(at, at + 100);
    const startedAt = finishedAt ?? ago(400 * DAY_MS);
    await db
      .insertInto("runs")
      .values(
        chunk.map((id) => ({
          id,
          org_id: org,
          kind: "workflow" as const,
          action_id: "workflow",
          actor: "user:admin",
          status: finishedAt === null ? ("running" as const) : ("succeeded" as const),
          input: "{}",
          target_count: 1,
          started_at: startedAt,
          finished_at: finishedAt,
          duration_ms: finishedAt === null ? null : 10,
          summary: null,
          owner_id: null,
          workflow_id: null,
          workflow_name: "retention",
          workflow_version: 1,
          run_as_user_id: null,
          trigger: "manual",
          cancel_requested: 0,
          error: null,
          input_sealed: null,
          deadline_at: null,
        })),
      )
      .execute();
    await db
      .insertInto("run_steps")
      .values(
        chunk.map((id) => ({
          run_id: id,
          idx: 0,
          step_id: "list",
          kind: "action" as const,
          status: finishedAt === null ? ("running" as const) : ("succeeded" as const),
          attempt: 1,
          started_at: startedAt,
          finished_at: finishedAt,
          duration_ms: null,
          first_target_idx: 0,
          target_count: 1,
          settled_count: finishedAt === null ? 0 : 1,
          summary: null,
          output: null,
          error: null,
          plan: null,
          input_sealed: null,
          wait_until: null,
          decided_by: null,
          decision_reason: null,
        })),
      )
      .execute();
    await db
      .insertInto("run_targets")
      .values(
        chunk.map((id) => ({
          run_id: id,
          idx: 0,
          step_idx: 0,
          attempt: 2,
          connection_name: "member-1",
          account_id: "100000000001",
          region: "us-east-1",
          status: finishedAt === null ? ("started" as const) : ("succeeded" as const),
          duration_ms: 5,
          output: null,
          output_bytes: 0,
          output_truncated: 0,
          error: null,
          aws_session: null,
          bucket: null,
          input_sealed: null,
          started_at: startedAt,
          finished_at: finishedAt,
          request_id: null,
          claim_id: null,
        })),
      )
      .execute();
    await db
      .insertInto("run_target_attempts")
      .values(
        chunk
          .filter((_, i) => (at + i) % 2 === 0)
          .map((id) => ({
            run_id: id,
            idx: 0,
            attempt: 1,
            status: "failed" as const,
            duration_ms: 5,
            error: JSON.stringify({ code: "ThrottlingException" }),
            request_id: null,
            aws_session: null,
            finished_at: startedAt,
          })),
      )
      .execute();
  }
  return ids;
}

async function counts(db: Db, prefix: string): Promise<number[]> {
  const like = `${prefix}-%`;
  const runs = await db.selectFrom("runs").select("id").where("id", "like", like).execute();
  const steps = await db
    .selectFrom("run_steps")
    .select("run_id")
    .where("run_id", "like", like)
    .execute();
  const targets = await db
    .selectFrom("run_targets")
    .select("run_id")
    .where("run_id", "like", like)
    .execute();
  const attempts = await db
    .selectFrom("run_target_attempts")
    .select("run_id")
    .where("run_id", "like", like)
    .execute();
  return [runs.length, steps.length, targets.length, attempts.length];
}

describeEachDatabase("run retention", (suite) => {
  let stage: EngineStage;
  beforeAll(async () => {
    stage = await engineStage(suite.handle().db, 1);
  });
  afterAll(async () => {
    await stage.close();
  });
  // Each test starts with no run at all: pruning is over the whole table.
  beforeEach(async () => {
    const db = suite.handle().db;
    await db.deleteFrom("run_target_attempts").execute();
    await db.deleteFrom("run_targets").execute();
    await db.deleteFrom("run_steps").execute();
    await db.deleteFrom("runs").execute();
  });

  it("prunes runs finished more than N days ago, with their steps, targets and attempts, in batches of 500", async () => {
    const db = suite.handle().db;
    const org = await orgId(db);
    // 1,203 old runs: three batches, the last one partial.
    await insertRuns(db, org, "old", 1_203, ago(30 * DAY_MS + 60_000));
    await insertRuns(db, org, "recent", 7, ago(30 * DAY_MS - 60_000));
    await insertRuns(db, org, "unfinished", 3, null);
    expect(await counts(db, "old")).toEqual([1_203, 1_203, 1_203, 602]);

    // One batch at a time: the first transaction deletes 500.
    expect(await pruneRuns(db, NOW, 30, { maxBatches: 1 })).toBe(500);
    expect(await counts(db, "old")).toEqual([703, 703, 703, 352]);

    expect(await pruneRuns(db, NOW, 30)).toBe(703);
    expect(await counts(db, "old")).toEqual([0, 0, 0, 0]);
    // Finished within the retention, or not finished at all (however old): kept whole.
    expect(await counts(db, "recent")).toEqual([7, 7, 7, 4]);
    expect(await counts(db, "unfinished")).toEqual([3, 3, 3, 2]);

    expect(await pruneRuns(db, NOW, 30)).toBe(0);
    // A shorter retention reaches the recent ones, never the unfinished.
    expect(await pruneRuns(db, NOW, 7)).toBe(7);
    expect(await counts(db, "recent")).toEqual([0, 0, 0, 0]);
    expect(await counts(db, "unfinished")).toEqual([3, 3, 3, 2]);
  });

  it("a real run aged past the retention is pruned (its page answers 404), a fresh one is kept", async () => {
    const db = suite.handle().db;
    await saveWorkflow(
      stage.t,
      `name: retention-real
steps:
  - id: clusters
    action: aws.ecs.listClusters
    connection: member-1
    regions: [us-east-1, eu-west-1]
  - id: count
    transform: \${{ $count(steps.clusters.targets) }}
`,
    );
    const oldId = await startWorkflow(stage.t, "retention-real");
    expect((await waitForRun(stage.t, oldId)).status).toBe("succeeded");
    const freshId = await startWorkflow(stage.t, "retention-real");
    expect((await waitForRun(stage.t, freshId)).status).toBe("succeeded");
    const now = new Date();
    await db
      .updateTable("runs")
      .set({ finished_at: new Date(now.getTime() - 91 * DAY_MS).toISOString() })
      .where("id", "=", oldId)
      .execute();

    expect(await pruneRuns(db, now, 90)).toBe(1);
    expect((await stage.t.call("GET", `/api/v1/runs/${oldId}`)).statusCode).toBe(404);
    for (const table of ["run_steps", "run_targets", "run_target_attempts"] as const) {
      const left = await db
        .selectFrom(table)
        .select("run_id")
        .where("run_id", "=", oldId)
        .execute();
      expect(left, table).toEqual([]);
    }
    const fresh = await waitForRun(stage.t, freshId);
    expect(fresh.steps.map((s) => [s.id, s.status, s.targetCount])).toEqual([
      ["clusters", "succeeded", 2],
      ["count", "succeeded", 0],
    ]);
    const list = await stage.t.call("GET", "/api/v1/runs?workflow=retention-real");
    expect(list.json<{ items: { id: string }[] }>().items.map((r) => r.id)).toEqual([freshId]);
  });
});
