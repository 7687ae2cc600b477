import { CronExpressionParser } from "cron-parser";
import type { Principal } from "../access/index.js";
import { recordAuditEvent, type RequestContext } from "../audit/index.js";
import { runPrincipal, type EngineDeps, type ScheduleData } from "../engine/index.js";
import { Conflict, Forbidden, Invalid, NotFound } from "../errors.js";
import { newId } from "../ids.js";
import { cronProblem } from "../cron-problem.js";
import type { SyncRequest } from "./schemas.js";
import { startSync, SYNC_ACTION_ID } from "./start-sync.js";

/** Schedule keys of inventory syncs on the engine's scheduler. */
export const SYNC_SCHEDULE_PREFIX = "inventory-sync:";

export interface SyncScheduleInput {
  name: string;
  cron: string;
  timezone: string;
  sync: SyncRequest;
}

/** The shortest interval between two slots of a schedule. */
export const MIN_SCHEDULE_INTERVAL_MINUTES = 15;
/** How many scheduled syncs an org, and one member of it (not an admin), may have. */
export const MAX_SCHEDULES_PER_ORG = 100;
export const MAX_SCHEDULES_PER_USER = 20;
// Slots looked at for a short interval: a week of 15-minute slots, so a pattern of one day of the
// week (or of the month, whose first slots come together) shows its gaps.
const SLOTS_CHECKED = 700;

const CRON_EXPECTED = `5 fields (minute hour day-of-month month day-of-week), at least ${MIN_SCHEDULE_INTERVAL_MINUTES} minutes apart`;

/**
 * A schedule's cron: 5 fields (minute resolution, no seconds field) whose slots are at least
 * {@link MIN_SCHEDULE_INTERVAL_MINUTES} apart, so a member cannot keep the workers listing AWS.
 * Only plain values, ranges, lists and steps (as a workflow's schedule): cron-parser's `H` is a
 * random value drawn again at every parse, so the slots checked here would not be the ones the
 * scheduler fires ("H * * * *" fired every few minutes), and `?`, `L`, `#` are not needed.
 */
export function checkCron(cron: string, tz: string): void {
  const problem = cronProblem(cron);
  if (problem !== undefined)
    throw new Invalid(`cron: ${problem}; expected ${CRON_EXPECTED}`, { field: "cron" });
  let slots;
  try {
    slots = CronExpressionParser.parse(cron, { tz, currentDate: new Date() });
    slots.next();
  } catch (error) {
    throw new Invalid(
      `cron: ${error instanceof Error ? error.message : String(error)}; expected ${CRON_EXPECTED}`,
      { field: "cron" },
    );
  }
  let previous = slots.next().getTime();
  for (let i = 0; i < SLOTS_CHECKED && slots.hasNext(); i++) {
    const slot = slots.next().getTime();
    const minutes = (slot - previous) / 60_000;
    if (minutes < MIN_SCHEDULE_INTERVAL_MINUTES)
      throw new Invalid(`cron: two slots ${minutes} minutes apart; expected ${CRON_EXPECTED}`, {
        field: "cron",
      });
    previous = slot;
  }
}

/** The runs of a scheduled sync carry it as their actor. */
const actorOfSchedule = (name: string) => `schedule:${name}`;

/**
 * Saves a scheduled sync (a new name, or a new selection and cron for an existing one) and puts
 * it on the engine's scheduler: one sync per slot, whatever the number of workers, run with the
 * grants of the user who saved it. The selection is checked now as a sync would check it.
 */
export async function saveSyncSchedule(
  deps: EngineDeps,
  context: RequestContext,
  principal: Principal,
  input: SyncScheduleInput,
): Promise<{ name: string; cron: string; timezone: string; sync: SyncRequest }> {
  checkCron(input.cron, input.timezone);
  const existing = await deps.db
    .selectFrom("inventory_schedules")
    .select(["id", "run_as_user_id"])
    .where("org_id", "=", principal.orgId)
    .where("name", "=", input.name)
    .executeTakeFirst();
  if (
    existing !== undefined &&
    existing.run_as_user_id !== principal.userId &&
    principal.role !== "admin"
  )
    throw new Forbidden(`schedule ${input.name} is another user's: choose another name`);
  if (existing === undefined) {
    const counted = await deps.db
      .selectFrom("inventory_schedules")
      .select((eb) => [
        eb.fn.countAll<number | string>().as("org"),
        eb.fn
          .sum<number | string | null>(
            eb.case().when("run_as_user_id", "=", principal.userId).then(1).else(0).end(),
          )
          .as("mine"),
      ])
      .where("org_id", "=", principal.orgId)
      .executeTakeFirstOrThrow();
    if (Number(counted.org) >= MAX_SCHEDULES_PER_ORG)
      throw new Conflict(
        `the org has ${MAX_SCHEDULES_PER_ORG} scheduled syncs, the most it may: delete one or add to a schedule's selection`,
        { field: "name" },
      );
    // An org admin is held by the org's cap only.
    if (principal.role !== "admin" && Number(counted.mine ?? 0) >= MAX_SCHEDULES_PER_USER)
      throw new Conflict(
        `you have ${MAX_SCHEDULES_PER_USER} scheduled syncs, the most a user may: delete one or add to a schedule's selection`,
        { field: "name" },
      );
  }
  const id = existing?.id ?? newId();
  const values = {
    cron: input.cron,
    timezone: input.timezone,
    request: JSON.stringify(input.sync),
    run_as_user_id: principal.userId,
  };
  await deps.db.transaction().execute(async (tx) => {
    if (existing === undefined)
      await tx
        .insertInto("inventory_schedules")
        .values({
          id,
          org_id: principal.orgId,
          name: input.name,
          created_at: deps.clock.now().toISOString(),
          ...values,
        })
        .execute();
    else await tx.updateTable("inventory_schedules").set(values).where("id", "=", id).execute();
    await recordAuditEvent(tx, context, {
      action: "inventory.schedule.save",
      objectType: "inventory_schedule",
      objectId: input.name,
      outcome: "success",
      detail: { cron: input.cron, timezone: input.timezone },
    });
  });
  await deps.queue.schedule(
    `${SYNC_SCHEDULE_PREFIX}${id}`,
    input.cron,
    { scheduleId: id },
    { tz: input.timezone },
  );
  return { name: input.name, cron: input.cron, timezone: input.timezone, sync: input.sync };
}

/** The scheduled syncs a principal sees: their own; an org admin, every one of the org. */
export async function listSyncSchedules(deps: Pick<EngineDeps, "db">, principal: Principal) {
  let query = deps.db
    .selectFrom("inventory_schedules as s")
    .innerJoin("users as u", "u.id", "s.run_as_user_id")
    .select(["s.name", "s.cron", "s.timezone", "s.request", "u.name as run_as"])
    .where("s.org_id", "=", principal.orgId);
  // Another member's selection (connection names, tag selectors) is theirs to see.
  if (principal.role !== "admin") query = query.where("s.run_as_user_id", "=", principal.userId);
  const rows = await query.orderBy("s.name").execute();
  return rows.map((r) => ({
    name: r.name,
    cron: r.cron,
    timezone: r.timezone,
    runAs: r.run_as,
    sync: JSON.parse(r.request) as SyncRequest,
  }));
}

export async function deleteSyncSchedule(
  deps: EngineDeps,
  context: RequestContext,
  principal: Principal,
  name: string,
): Promise<void> {
  const row = await deps.db
    .selectFrom("inventory_schedules")
    .select(["id", "run_as_user_id"])
    .where("org_id", "=", principal.orgId)
    .where("name", "=", name)
    .executeTakeFirst();
  if (row === undefined) throw new NotFound(`schedule ${name}`);
  if (row.run_as_user_id !== principal.userId && principal.role !== "admin")
    throw new Forbidden(`schedule ${name} is another user's: only they and admins delete it`);
  await deps.db.transaction().execute(async (tx) => {
    await tx.deleteFrom("inventory_schedules").where("id", "=", row.id).execute();
    await recordAuditEvent(tx, context, {
      action: "inventory.schedule.delete",
      objectType: "inventory_schedule",
      objectId: name,
      outcome: "success",
    });
  });
  await deps.queue.unschedule(`${SYNC_SCHEDULE_PREFIX}${row.id}`);
}

/** A slot of a scheduled sync: a sync run as the schedule's user, with their grants now. */
export async function fireSyncSchedule(deps: EngineDeps, data: ScheduleData): Promise<void> {
  const row = await deps.db
    .selectFrom("inventory_schedules")
    .selectAll()
    .where("id", "=", String(data.scheduleId))
    .executeTakeFirst();
  if (row === undefined) return;
  const context = {
    orgId: row.org_id,
    actor: actorOfSchedule(row.name),
    sourceIp: null,
    requestId: `schedule:${row.name}`,
  };
  // A schedule saved before the rules above (a seconds field, slots minutes apart) is taken off
  // the scheduler, once, with its reason; saving it again with an accepted cron puts it back.
  try {
    checkCron(row.cron, row.timezone);
  } catch (error) {
    await deps.queue.unschedule(`${SYNC_SCHEDULE_PREFIX}${row.id}`);
    await recordAuditEvent(deps.db, context, {
      action: "inventory.schedule.stop",
      objectType: "inventory_schedule",
      objectId: row.name,
      outcome: "failure",
      detail: { reason: error instanceof Error ? error.message : String(error), cron: row.cron },
    });
    return;
  }
  // One sync of a schedule at a time: a slot that comes while the last one still runs is skipped,
  // and the audit log says so.
  const running = await deps.db
    .selectFrom("runs")
    .select("id")
    .where("org_id", "=", row.org_id)
    .where("action_id", "=", SYNC_ACTION_ID)
    .where("trigger", "=", "schedule")
    .where("actor", "=", context.actor)
    .where("status", "in", ["queued", "running", "waiting"])
    .executeTakeFirst();
  if (running !== undefined) {
    await recordAuditEvent(deps.db, context, {
      action: "inventory.schedule.skip",
      objectType: "inventory_schedule",
      objectId: row.name,
      outcome: "failure",
      detail: {
        reason: "its previous sync still runs",
        runId: running.id,
        slot: data.slot ?? null,
      },
    });
    deps.logger.info(
      { schedule: row.name, runId: running.id },
      "a scheduled inventory sync skipped a slot: its previous sync still runs",
    );
    return;
  }
  const principal = await runPrincipal(deps.db, row.org_id, row.run_as_user_id);
  try {
    await startSync(deps, context, principal, JSON.parse(row.request) as SyncRequest, "schedule");
  } catch (error) {
    // A selection that chooses nothing now (grants removed): the next slot tries again.
    deps.logger.warn(
      { err: error, schedule: row.name },
      "a scheduled inventory sync did not start",
    );
  }
}
