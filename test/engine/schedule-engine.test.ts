import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, migrateToLatest, type DbHandle } from "../../src/db/index.js";
import { createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";
import { until } from "./engine-child-process.js";
import { saveWorkflow } from "./engine-world.js";

interface ScheduleView {
  cron: string;
  nextAt: string | null;
  lastFiredAt: string | null;
  missedSlots: number;
}

// PostgreSQL: two engines (two pg-boss instances, each with its workers and schedule pass) on one
// database. Definitions take 5 cron fields, so a slot comes once a minute: waiting for the wall
// clock's next one took 30 s on average (up to 60). The engines share a clock that runs ahead of
// the wall clock, moved just before the schedule is saved so that its next slot is SLOT_LEAD_MS
// away, with no slot between the wall-clock time the schedule is written and the engines' time.
const SLOT_LEAD_MS = 2500;
let aheadMs = 0;
const clock = { now: () => new Date(Date.now() + aheadMs) };
function nextSlotSoon(): void {
  const now = Date.now();
  const nextMinute = Math.floor(now / 60_000) * 60_000 + 60_000;
  aheadMs = Math.max(0, nextMinute - SLOT_LEAD_MS - now);
}

describe("a schedule on two engines fires one run per slot", () => {
  let database: TestDatabase;
  let handle: DbHandle;
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase("postgres");
    handle = createDb(database.config);
    await migrateToLatest(handle.db);
    first = await createTestApp(handle.db, { clock });
    second = await createTestApp(handle.db, { clock });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
    await handle?.destroy();
    await database?.dispose();
  });

  const workflowId = async (name: string) =>
    (
      await handle.db
        .selectFrom("workflows")
        .select("id")
        .where("name", "=", name)
        .executeTakeFirstOrThrow()
    ).id;
  const firings = (id: string) =>
    handle.db
      .selectFrom("workflow_firings")
      .select(["slot", "run_id"])
      .where("workflow_id", "=", id)
      .orderBy("slot")
      .execute();
  const runsOf = (id: string) =>
    handle.db.selectFrom("runs").select(["id", "status"]).where("workflow_id", "=", id).execute();
  const schedules = async (app: TestApp, name: string) => {
    const response = await app.call("GET", `/api/v1/workflows/${name}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json<{ schedules: ScheduleView[] }>().schedules;
  };

  it("fires the next minute's slot once, with one run, and shows it on the workflow", async () => {
    nextSlotSoon();
    await saveWorkflow(
      first,
      `name: every-minute
steps:
  - id: answer
    transform: \${{ 6 * 7 }}
triggers:
  - schedule: "* * * * *"
`,
    );
    const id = await workflowId("every-minute");
    const fired = await until(
      "the next minute's slot",
      async () => {
        const rows = await firings(id);
        return rows.length > 0 && rows.every((r) => r.run_id !== null) ? rows : undefined;
      },
      80_000,
      250,
    );
    // Both engines' schedule passes (every second) have had time to try the same slot again.
    await sleep(3000);
    const rows = await firings(id);
    const runs = await runsOf(id);
    // A minute may have turned during the wait: whatever the slots, one run each.
    expect(rows.length).toBeGreaterThanOrEqual(fired.length);
    expect(new Set(rows.map((r) => r.slot)).size).toBe(rows.length);
    expect(runs.map((r) => r.id).sort()).toEqual(rows.map((r) => r.run_id).sort());
    for (const row of rows) expect(new Date(row.slot).getUTCSeconds()).toBe(0);

    const [schedule] = await schedules(second, "every-minute");
    const last = rows[rows.length - 1]?.slot ?? "";
    expect(schedule?.lastFiredAt).toBe(last);
    expect(new Date(schedule?.nextAt ?? 0).getTime()).toBeGreaterThan(new Date(last).getTime());
    expect(schedule?.missedSlots).toBe(0);
  });

  it("reports slots missed while nothing ran, and does not replay them", async () => {
    await saveWorkflow(
      first,
      `name: nightly
steps:
  - id: answer
    transform: \${{ 6 * 7 }}
triggers:
  - schedule: "0 0 * * *"
`,
    );
    const id = await workflowId("nightly");
    // The last firing three nights ago: the two midnights since were missed (everything was down).
    const midnight = new Date();
    midnight.setUTCHours(0, 0, 0, 0);
    const old = new Date(midnight.getTime() - 3 * 86_400_000).toISOString();
    await handle.db
      .insertInto("workflow_firings")
      .values({ workflow_id: id, slot: old, run_id: null, fired_at: old })
      .execute();
    // Two schedule passes of each engine.
    await sleep(2500);
    const [schedule] = await schedules(first, "nightly");
    expect(schedule?.lastFiredAt).toBe(old);
    expect(schedule?.missedSlots).toBeGreaterThanOrEqual(2);
    // Not replayed: no run, no firing for the missed slots.
    expect(await runsOf(id)).toEqual([]);
    expect((await firings(id)).map((r) => r.slot)).toEqual([old]);
  });
});
