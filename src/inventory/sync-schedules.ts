import { CronExpressionParser } from "cron-parser";
import type { Principal } from "../access/index.js";
import { recordAuditEvent, type RequestContext } from "../audit/index.js";
import { runPrincipal, type EngineDeps, type ScheduleData } from "../engine/index.js";
import { Forbidden, Invalid, NotFound } from "../errors.js";
import { newId } from "../ids.js";
import type { SyncRequest } from "./schemas.js";
import { startSync } from "./start-sync.js";

/** Schedule keys of inventory syncs on the engine's scheduler. */
export const SYNC_SCHEDULE_PREFIX = "inventory-sync:";

export interface SyncScheduleInput {
  name: string;
  cron: string;
  timezone: string;
  sync: SyncRequest;
}

function checkCron(cron: string, tz: string): void {
  const fields = cron.trim().split(/\s+/).length;
  try {
    if (fields !== 5 && fields !== 6) throw new Error(`expected 5 or 6 fields, got ${fields}`);
    CronExpressionParser.parse(cron, { tz }).next();
  } catch (error) {
    throw new Invalid(
      `cron: ${error instanceof Error ? error.message : String(error)} (minute hour day-of-month month day-of-week)`,
      { field: "cron" },
    );
  }
}

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

export async function listSyncSchedules(deps: Pick<EngineDeps, "db">, principal: Principal) {
  const rows = await deps.db
    .selectFrom("inventory_schedules as s")
    .innerJoin("users as u", "u.id", "s.run_as_user_id")
    .select(["s.name", "s.cron", "s.timezone", "s.request", "u.name as run_as"])
    .where("s.org_id", "=", principal.orgId)
    .orderBy("s.name")
    .execute();
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
  const principal = await runPrincipal(deps.db, row.org_id, row.run_as_user_id);
  try {
    await startSync(
      deps,
      { orgId: row.org_id, actor: "schedule", sourceIp: null, requestId: `schedule:${row.name}` },
      principal,
      JSON.parse(row.request) as SyncRequest,
      "schedule",
    );
  } catch (error) {
    // A selection that chooses nothing now (grants removed): the next slot tries again.
    deps.logger.warn(
      { err: error, schedule: row.name },
      "a scheduled inventory sync did not start",
    );
  }
}
