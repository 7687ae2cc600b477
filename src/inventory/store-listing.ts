import type { Clock } from "../clock.js";
import type { Db, DbOrTx } from "../db/index.js";
import { newId } from "../ids.js";
import type { Edge, Listing } from "./resource-type.js";

/** The (connection, region, type) one sync target lists, and the run that lists it. */
export interface SyncScope {
  orgId: string;
  connectionId: string;
  accountId: string;
  region: string;
  type: string;
  runId: string;
}

/** What a sync target's run row keeps: counts, never anything about a resource. */
export interface SyncCounts {
  type: string;
  resources: number;
  appeared: number;
  disappeared: number;
  edges: number;
}

// 11 columns a row: 500 rows are 5,500 bound values, under SQLite's and PostgreSQL's limits.
const ROWS_PER_STATEMENT = 500;

function chunks<T>(items: T[], size = ROWS_PER_STATEMENT): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const inScope = (scope: SyncScope) => (db: DbOrTx, table: "inventory_resources") =>
  db
    .selectFrom(table)
    .where("connection_id", "=", scope.connectionId)
    .where("region", "=", scope.region)
    .where("type", "=", scope.type);

/**
 * Stores one successful listing of a scope: new ARNs appear, ARNs seen again get their last-seen
 * time (and any new parent), ARNs no longer listed are marked gone (never deleted), the scope's
 * edges are replaced, and the scope is fresh again. One transaction: a crash keeps the last
 * picture whole.
 */
export async function storeListing(
  db: Db,
  clock: Clock,
  scope: SyncScope,
  listing: Listing,
): Promise<SyncCounts> {
  const now = clock.now().toISOString();
  const listed = new Map<string, { parent: string | null; zone: string | null }>();
  for (const r of listing.resources) {
    if (r.arn === "") continue;
    listed.set(r.arn, { parent: r.parent ?? null, zone: r.zone ?? null });
  }
  const edges = new Map<string, Edge>();
  for (const e of listing.edges)
    if (e.from !== "" && e.to !== "") edges.set(`${e.from} ${e.to} ${e.kind}`, e);

  return db.transaction().execute(async (tx) => {
    const existing = await inScope(scope)(tx, "inventory_resources")
      .select(["arn", "parent_arn", "zone", "gone_at"])
      .execute();
    const known = new Map(existing.map((r) => [r.arn, r]));
    const changes: { arn: string; change: "appeared" | "disappeared" }[] = [];

    const fresh = [...listed].filter(([arn]) => !known.has(arn));
    for (const part of chunks(fresh))
      await tx
        .insertInto("inventory_resources")
        .values(
          part.map(([arn, r]) => ({
            org_id: scope.orgId,
            connection_id: scope.connectionId,
            account_id: scope.accountId,
            region: scope.region,
            type: scope.type,
            arn,
            parent_arn: r.parent,
            zone: r.zone,
            first_seen: now,
            last_seen: now,
            gone_at: null,
          })),
        )
        .execute();
    for (const [arn] of fresh) changes.push({ arn, change: "appeared" });

    const seenAgain: string[] = [];
    for (const [arn, r] of listed) {
      const before = known.get(arn);
      if (before === undefined) continue;
      if (before.gone_at !== null) changes.push({ arn, change: "appeared" });
      if (before.parent_arn !== r.parent || before.zone !== r.zone || before.gone_at !== null) {
        await tx
          .updateTable("inventory_resources")
          .set({ parent_arn: r.parent, zone: r.zone, last_seen: now, gone_at: null })
          .where("connection_id", "=", scope.connectionId)
          .where("arn", "=", arn)
          .execute();
      } else seenAgain.push(arn);
    }
    for (const part of chunks(seenAgain))
      await tx
        .updateTable("inventory_resources")
        .set({ last_seen: now })
        .where("connection_id", "=", scope.connectionId)
        .where("arn", "in", part)
        .execute();

    const gone = existing.filter((r) => r.gone_at === null && !listed.has(r.arn)).map((r) => r.arn);
    for (const part of chunks(gone))
      await tx
        .updateTable("inventory_resources")
        .set({ gone_at: now })
        .where("connection_id", "=", scope.connectionId)
        .where("arn", "in", part)
        .execute();
    for (const arn of gone) changes.push({ arn, change: "disappeared" });

    for (const part of chunks(changes))
      await tx
        .insertInto("inventory_changes")
        .values(
          part.map((c) => ({
            id: newId(),
            org_id: scope.orgId,
            connection_id: scope.connectionId,
            region: scope.region,
            type: scope.type,
            arn: c.arn,
            change: c.change,
            at: now,
            run_id: scope.runId,
          })),
        )
        .execute();

    await tx
      .deleteFrom("inventory_edges")
      .where("connection_id", "=", scope.connectionId)
      .where("region", "=", scope.region)
      .where("type", "=", scope.type)
      .execute();
    for (const part of chunks([...edges.values()]))
      await tx
        .insertInto("inventory_edges")
        .values(
          part.map((e) => ({
            org_id: scope.orgId,
            connection_id: scope.connectionId,
            region: scope.region,
            type: scope.type,
            from_arn: e.from,
            to_arn: e.to,
            kind: e.kind,
          })),
        )
        .execute();

    await upsertScope(tx, scope, now, { synced: true, error: null });
    return {
      type: scope.type,
      resources: listed.size,
      appeared: changes.filter((c) => c.change === "appeared").length,
      disappeared: gone.length,
      edges: edges.size,
    };
  });
}

/**
 * A listing that failed: the scope keeps its last good picture (nothing is marked gone) and is
 * stale, with the error that explains why.
 */
export async function markStale(
  db: Db,
  clock: Clock,
  scope: SyncScope,
  error: { code: string; message: string },
): Promise<void> {
  await upsertScope(db, scope, clock.now().toISOString(), { synced: false, error });
}

async function upsertScope(
  db: DbOrTx,
  scope: SyncScope,
  now: string,
  outcome: { synced: boolean; error: { code: string; message: string } | null },
): Promise<void> {
  const error = outcome.error === null ? null : JSON.stringify(outcome.error);
  await db
    .insertInto("inventory_scopes")
    .values({
      org_id: scope.orgId,
      connection_id: scope.connectionId,
      region: scope.region,
      type: scope.type,
      account_id: scope.accountId,
      synced_at: outcome.synced ? now : null,
      checked_at: now,
      run_id: scope.runId,
      error,
    })
    .onConflict((oc) =>
      oc.columns(["connection_id", "region", "type"]).doUpdateSet({
        checked_at: now,
        run_id: scope.runId,
        error,
        account_id: scope.accountId,
        ...(outcome.synced ? { synced_at: now } : {}),
      }),
    )
    .execute();
}
