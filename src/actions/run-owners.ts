import os from "node:os";
import { recordAuditEvent } from "../audit/index.js";
import type { Clock } from "../clock.js";
import type { Db } from "../db/index.js";
import { newId } from "../ids.js";
import type { RunSummary } from "./schemas.js";

/** How often a live server refreshes its heartbeat (and looks for runs left by dead ones). */
export const HEARTBEAT_MS = 10_000;
/** A server whose heartbeat is older than this is dead: its running runs are interrupted. */
export const LEASE_MS = 60_000;

export interface ServerIdentity {
  id: string;
  host: string;
  pid: number;
}

export interface RunOwner extends ServerIdentity {
  /** Stops the heartbeat and removes this server's record (its runs have ended or are lost). */
  stop(): Promise<void>;
}

interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Whether a process of this host is alive: signal 0 checks without sending anything. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Whether the server that owned a run is gone: it has no record, its heartbeat is older than
 * the lease, or it ran on this host and its process is dead (or its pid is now this process's own,
 * as after a container restart). A live server on another host is never taken for dead while it
 * keeps its heartbeat.
 */
function ownerIsDead(
  owner: { id: string; host: string; pid: number; heartbeat_at: string } | undefined,
  self: ServerIdentity,
  now: Date,
): boolean {
  if (owner === undefined) return true;
  if (owner.heartbeat_at < new Date(now.getTime() - LEASE_MS).toISOString()) return true;
  return owner.host === self.host && (owner.pid === self.pid || !alive(owner.pid));
}

/**
 * Marks runs left running by a dead server as interrupted: the targets they recorded stay, the
 * summary counts them (total is every target, so the missing ones show), and each is audited.
 * Until workflows make runs resumable, this is all that can be done for them. Returns their ids.
 */
export async function interruptOrphanedRuns(
  db: Db,
  clock: Clock,
  self: ServerIdentity,
): Promise<string[]> {
  const now = clock.now();
  const running = await db
    .selectFrom("runs")
    .leftJoin("server_instances", "server_instances.id", "runs.owner_id")
    .select(["runs.id", "runs.org_id", "runs.action_id", "runs.actor", "runs.started_at"])
    .select(["runs.target_count", "runs.owner_id"])
    .select([
      "server_instances.id as instance_id",
      "server_instances.host",
      "server_instances.pid",
      "server_instances.heartbeat_at",
    ])
    .where("runs.status", "=", "running")
    .execute();
  const interrupted: string[] = [];
  const deadOwners = new Set<string>();
  for (const run of running) {
    const owner =
      run.instance_id === null || run.host === null || run.pid === null || run.heartbeat_at === null
        ? undefined
        : {
            id: run.instance_id,
            host: run.host,
            pid: Number(run.pid),
            heartbeat_at: run.heartbeat_at,
          };
    if (run.owner_id === self.id || !ownerIsDead(owner, self, now)) continue;
    if (owner !== undefined) deadOwners.add(owner.id);
    const marked = await db.transaction().execute(async (tx) => {
      const targets = await tx
        .selectFrom("run_targets")
        .select(["status"])
        .where("run_id", "=", run.id)
        .execute();
      const summary: RunSummary = {
        total: Number(run.target_count),
        succeeded: 0,
        failed: 0,
        refused: 0,
        skipped: 0,
      };
      for (const t of targets) summary[t.status] += 1;
      // Only if still running: two servers starting at once interrupt it once.
      const updated = await tx
        .updateTable("runs")
        .set({
          status: "interrupted",
          finished_at: now.toISOString(),
          duration_ms: Math.max(0, now.getTime() - new Date(run.started_at).getTime()),
          summary: JSON.stringify(summary),
        })
        .where("id", "=", run.id)
        .where("status", "=", "running")
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return false;
      await recordAuditEvent(
        tx,
        { orgId: run.org_id, actor: "system", sourceIp: null, requestId: null },
        {
          action: "action.run.interrupted",
          objectType: "run",
          objectId: run.id,
          outcome: "failure",
          detail: {
            action: run.action_id,
            startedBy: run.actor,
            reason: "the server running it stopped before it finished",
            server: owner === undefined ? null : `${owner.host} pid ${owner.pid}`,
            targets: summary.total,
            recorded: targets.length,
          },
        },
        now,
      );
      return true;
    });
    if (marked) interrupted.push(run.id);
  }
  // Servers that stopped with no run left behind: a run whose owner has no record counts as
  // left by a dead one, so forgetting them is safe.
  const expired = new Date(now.getTime() - LEASE_MS).toISOString();
  await db
    .deleteFrom("server_instances")
    .where((eb) =>
      eb.or([
        eb("heartbeat_at", "<", expired),
        ...(deadOwners.size > 0 ? [eb("id", "in", [...deadOwners])] : []),
      ]),
    )
    .where("id", "!=", self.id)
    .execute();
  return interrupted;
}

/**
 * Registers this server process as the owner of the runs it starts, interrupts the runs dead
 * servers left running, and keeps a heartbeat (looking again for dead servers' runs each time),
 * so several servers on one PostgreSQL never take a live one's runs.
 */
export async function startRunOwner(db: Db, clock: Clock, logger: Logger): Promise<RunOwner> {
  const now = clock.now().toISOString();
  const self: ServerIdentity = { id: newId(), host: os.hostname(), pid: process.pid };
  await db
    .insertInto("server_instances")
    .values({ ...self, started_at: now, heartbeat_at: now })
    .execute();
  const sweep = async () => {
    const ids = await interruptOrphanedRuns(db, clock, self);
    if (ids.length > 0)
      logger.info(
        { runs: ids },
        `marked ${ids.length} run(s) left running by a stopped server as interrupted`,
      );
  };
  await sweep();
  let beating: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    beating = (async () => {
      const at = clock.now().toISOString();
      const beat = await db
        .updateTable("server_instances")
        .set({ heartbeat_at: at })
        .where("id", "=", self.id)
        .executeTakeFirst();
      // Taken for dead after a long stall: be on record again for the runs still to come.
      if (Number(beat.numUpdatedRows) === 0)
        await db
          .insertInto("server_instances")
          .values({ ...self, started_at: now, heartbeat_at: at })
          .execute();
      await sweep();
    })().catch((error: unknown) =>
      logger.warn({ err: error }, "could not refresh this server's heartbeat"),
    );
  }, HEARTBEAT_MS);
  timer.unref();
  return {
    ...self,
    stop: async () => {
      clearInterval(timer);
      await beating;
      await db.deleteFrom("server_instances").where("id", "=", self.id).execute();
    },
  };
}
