import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import { signInAsMember } from "../helpers/member.js";
import { fireSyncSchedule, SYNC_SCHEDULE_PREFIX } from "../../src/inventory/index.js";
import { inventoryStage, type InventoryStage } from "./inventory-world.js";

interface ErrorBody {
  error: { code: string; field: string; message: string };
}

const SYNC = { connections: ["dev"], regions: ["eu-west-1"], types: ["sns.topic"] };

// No workers: a sync a slot starts stays queued, so "its previous sync still runs" holds.
describeEachDatabase("inventory schedules: limits and who sees them", (suite) => {
  let stage: InventoryStage;

  beforeAll(async () => {
    stage = await inventoryStage(suite.handle().db, { workers: false });
  });
  afterAll(async () => {
    await stage.close();
  });

  const save = (name: string, cron: string, token?: string) =>
    stage.t.call("POST", "/api/v1/inventory/schedules", {
      ...(token === undefined ? {} : { token }),
      body: { name, cron, sync: SYNC },
    });

  it("takes 5 cron fields with slots at least 15 minutes apart, and says what it expects", async () => {
    for (const cron of [
      "*/2 * * * * *", // a seconds field
      "0 */5 * * * *",
      "* * * * *", // every minute
      "*/5 * * * *",
      "0,10 * * * *", // 10 minutes apart once an hour
      "*/5 3 * * 1", // every 5 minutes at 3 a.m. on Mondays
      "*/10 * 1 * *", // every 10 minutes on the first of the month
    ]) {
      const refused = await save("fast", cron);
      expect(refused.statusCode, cron).toBe(400);
      const error = refused.json<ErrorBody>().error;
      expect(error.field).toBe("cron");
      expect(error.message).toContain("5 fields (minute hour day-of-month month day-of-week)");
      expect(error.message).toContain("at least 15 minutes apart");
    }
    expect((await save("quarter", "*/15 * * * *")).statusCode).toBe(200);
    expect((await save("nightly", "30 2 * * *")).statusCode).toBe(200);
    const listed = await stage.t.call("GET", "/api/v1/inventory/schedules");
    expect(listed.json<{ items: { name: string }[] }>().items.map((s) => s.name)).toEqual([
      "nightly",
      "quarter",
    ]);
    for (const name of ["nightly", "quarter"])
      expect((await stage.t.call("DELETE", `/api/v1/inventory/schedules/${name}`)).statusCode).toBe(
        204,
      );
  });

  it("skips a slot while the schedule's previous sync still runs, and the audit log says so", async () => {
    expect((await save("hourly", "0 * * * *")).statusCode).toBe(200);
    const db = suite.handle().db;
    const schedule = await db
      .selectFrom("inventory_schedules")
      .select("id")
      .where("name", "=", "hourly")
      .executeTakeFirstOrThrow();
    const slot = (at: string) =>
      fireSyncSchedule(stage.t.engine.deps, {
        key: `${SYNC_SCHEDULE_PREFIX}${schedule.id}`,
        scheduleId: schedule.id,
        slot: at,
      });
    await slot("2026-12-04T10:00:00.000Z");
    await slot("2026-12-04T11:00:00.000Z");
    const runs = await db
      .selectFrom("runs")
      .select(["id", "actor", "status"])
      .where("action_id", "=", "inventory.sync")
      .where("trigger", "=", "schedule")
      .execute();
    expect(runs.map((r) => [r.actor, r.status])).toEqual([["schedule:hourly", "queued"]]);
    const audit = await stage.t.call("GET", "/api/v1/audit?action=inventory.schedule.skip");
    expect(audit.statusCode, audit.body).toBe(200);
    const items = audit.json<{ items: { objectId: string; outcome: string; detail: unknown }[] }>()
      .items;
    expect(items).toEqual([
      expect.objectContaining({
        objectId: "hourly",
        outcome: "failure",
        detail: {
          reason: "its previous sync still runs",
          runId: runs[0]?.id,
          slot: "2026-12-04T11:00:00.000Z",
        },
      }),
    ]);
    // Once it has finished, the next slot syncs again.
    await db
      .updateTable("runs")
      .set({ status: "succeeded" })
      .where("id", "=", runs[0]?.id ?? "")
      .execute();
    await slot("2026-12-04T12:00:00.000Z");
    const after = await db
      .selectFrom("runs")
      .select("id")
      .where("actor", "=", "schedule:hourly")
      .execute();
    expect(after).toHaveLength(2);
    expect((await stage.t.call("DELETE", "/api/v1/inventory/schedules/hourly")).statusCode).toBe(
      204,
    );
  });

  it("takes a schedule saved before these rules (a seconds field) off the scheduler at its next slot", async () => {
    expect((await save("legacy", "0 * * * *")).statusCode).toBe(200);
    const db = suite.handle().db;
    // As a schedule saved before the 5-field rule was stored.
    await db
      .updateTable("inventory_schedules")
      .set({ cron: "* * * * * *" })
      .where("name", "=", "legacy")
      .execute();
    const { id } = await db
      .selectFrom("inventory_schedules")
      .select("id")
      .where("name", "=", "legacy")
      .executeTakeFirstOrThrow();
    await fireSyncSchedule(stage.t.engine.deps, {
      key: `${SYNC_SCHEDULE_PREFIX}${id}`,
      scheduleId: id,
    });
    const runs = await db
      .selectFrom("runs")
      .select("id")
      .where("actor", "=", "schedule:legacy")
      .execute();
    expect(runs).toEqual([]);
    const audit = await stage.t.call("GET", "/api/v1/audit?action=inventory.schedule.stop");
    const items = audit.json<{ items: { objectId: string; detail: { reason: string } }[] }>().items;
    expect(items).toHaveLength(1);
    expect(items[0]?.objectId).toBe("legacy");
    expect(items[0]?.detail.reason).toContain("5 fields");
    expect((await stage.t.call("DELETE", "/api/v1/inventory/schedules/legacy")).statusCode).toBe(
      204,
    );
  });

  it("shows a member only their own schedules, an admin all; caps them per user and per org", async () => {
    const member = await signInAsMember(stage.t, "schedule-member");
    const other = await signInAsMember(stage.t, "schedule-other");
    for (let i = 0; i < 20; i++)
      expect((await save(`m-${i}`, "0 * * * *", member)).statusCode).toBe(200);
    const refused = await save("m-20", "0 * * * *", member);
    expect(refused.statusCode, refused.body).toBe(409);
    expect(refused.json<ErrorBody>().error).toMatchObject({ code: "CONFLICT", field: "name" });
    expect(refused.json<ErrorBody>().error.message).toContain("20 scheduled syncs");
    // Replacing one of their own is not a new one.
    expect((await save("m-0", "30 * * * *", member)).statusCode).toBe(200);
    expect((await save("o-0", "0 * * * *", other)).statusCode).toBe(200);

    const mine = await stage.t.call("GET", "/api/v1/inventory/schedules", { token: other });
    expect(mine.json<{ items: { name: string; runAs: string }[] }>().items).toEqual([
      expect.objectContaining({ name: "o-0", runAs: "schedule-other" }),
    ]);
    const theirs = await stage.t.call("GET", "/api/v1/inventory/schedules", { token: member });
    expect(theirs.json<{ items: unknown[] }>().items).toHaveLength(20);
    const all = await stage.t.call("GET", "/api/v1/inventory/schedules");
    expect(all.json<{ items: unknown[] }>().items).toHaveLength(21);

    // The org's cap: 100, the admin's included (an admin has no cap of their own).
    for (let i = 0; i < 79; i++) expect((await save(`a-${i}`, "0 * * * *")).statusCode).toBe(200);
    const full = await save("a-79", "0 * * * *");
    expect(full.statusCode, full.body).toBe(409);
    expect(full.json<ErrorBody>().error.message).toContain("100 scheduled syncs");
    expect((await save("o-1", "0 * * * *", other)).statusCode).toBe(409);

    const names = (await stage.t.call("GET", "/api/v1/inventory/schedules")).json<{
      items: { name: string }[];
    }>().items;
    for (const { name } of names)
      expect((await stage.t.call("DELETE", `/api/v1/inventory/schedules/${name}`)).statusCode).toBe(
        204,
      );
  });
});
