import type { Expression, ExpressionBuilder, Insertable, SqlBool, Transaction } from "kysely";
import type { Clock } from "../clock.js";
import type { Database, Db, DbOrTx } from "../db/index.js";
import { MicroBatch } from "../engine/index.js";
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
// Scopes matched in one statement: three values each, and an OR as deep as SQLite allows easily.
const SCOPES_PER_STATEMENT = 100;

function chunks<T>(items: T[], size = ROWS_PER_STATEMENT): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const scopeKey = (s: { connection_id: string; region: string; type: string }) =>
  `${s.connection_id}\u0000${s.region}\u0000${s.type}`;
const keyOf = (scope: SyncScope) =>
  scopeKey({ connection_id: scope.connectionId, region: scope.region, type: scope.type });
const edgeKey = (e: { from: string; to: string; kind: string }) =>
  `${e.from}\u0000${e.to}\u0000${e.kind}`;

/** The rows of these scopes in a table keyed by (connection_id, region, type). */
function ofScopes(scopes: SyncScope[]) {
  return (
    eb: ExpressionBuilder<Database, "inventory_resources" | "inventory_edges">,
  ): Expression<SqlBool> =>
    eb.or(
      scopes.map((s) =>
        eb.and([
          eb("connection_id", "=", s.connectionId),
          eb("region", "=", s.region),
          eb("type", "=", s.type),
        ]),
      ),
    );
}

/** Groups values by a key, keeping the order they came in. */
function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list === undefined) out.set(k, [item]);
    else list.push(item);
  }
  return out;
}

interface Pending {
  scope: SyncScope;
  listing: Listing;
}

// A finished listing waits at most this long for others to share its transaction (the engine's
// settlements wait as long), and goes at once when nothing else is listing.
const WAIT_MS = 5;
const MAX_LISTINGS = 200;

/**
 * One store per database: the listings that finish while a transaction is being written go
 * together in the next one, a few statements for the lot instead of a transaction of 5–8 each.
 */
const stores = new WeakMap<
  Db,
  MicroBatch<Pending & { clock: Clock }, PromiseSettledResult<SyncCounts>>
>();

/**
 * Stores one successful listing of a scope: new ARNs appear, ARNs seen again get their last-seen
 * time (and any new parent), ARNs no longer listed are marked gone (never deleted), the scope's
 * edges are replaced when they changed, and the scope is fresh again. The listing is committed
 * (with the others finished meanwhile) before this answers: a crash keeps the last picture whole.
 */
export async function storeListing(
  db: Db,
  clock: Clock,
  scope: SyncScope,
  listing: Listing,
  inFlight: { total(): number },
): Promise<SyncCounts> {
  let store = stores.get(db);
  if (store === undefined) {
    store = new MicroBatch((items) => storeBatch(db, items), {
      waitMs: WAIT_MS,
      maxItems: MAX_LISTINGS,
      // The caller is itself still running: alone when it is the only one.
      alone: () => inFlight.total() <= 1,
    });
    stores.set(db, store);
  }
  const stored = await store.call({ scope, listing, clock });
  if (stored.status === "rejected") throw stored.reason;
  return stored.value;
}

/**
 * A batch in one transaction; if it fails (one listing at odds with what is stored), each listing
 * is stored alone so the others are not lost with it, and only the culprit fails.
 */
async function storeBatch(
  db: Db,
  items: (Pending & { clock: Clock })[],
): Promise<PromiseSettledResult<SyncCounts>[]> {
  const now = (items[0] as Pending & { clock: Clock }).clock.now().toISOString();
  const inOne = (batch: Pending[]) =>
    db.transaction().execute((tx) => storeListings(tx, now, batch));
  try {
    const counts = await inOne(items);
    return counts.map((value) => ({ status: "fulfilled", value }));
  } catch (error) {
    if (items.length === 1) return [{ status: "rejected", reason: error }];
  }
  const alone: PromiseSettledResult<SyncCounts>[] = [];
  for (const item of items) {
    try {
      const [value] = await inOne([item]);
      alone.push({ status: "fulfilled", value: value as SyncCounts });
    } catch (reason) {
      alone.push({ status: "rejected", reason });
    }
  }
  return alone;
}

type Tx = Transaction<Database>;

async function storeListings(tx: Tx, now: string, items: Pending[]): Promise<SyncCounts[]> {
  const scopes = items.map((i) => i.scope);
  const existing = new Map<string, ExistingRow[]>();
  const storedEdges = new Map<string, Set<string>>();
  for (const part of chunks(scopes, SCOPES_PER_STATEMENT)) {
    const rows = await tx
      .selectFrom("inventory_resources")
      .select(["connection_id", "region", "type", "arn", "parent_arn", "zone", "gone_at"])
      .where(ofScopes(part))
      .execute();
    for (const [k, list] of groupBy(rows, scopeKey)) existing.set(k, list);
    const edges = await tx
      .selectFrom("inventory_edges")
      .select(["connection_id", "region", "type", "from_arn", "to_arn", "kind"])
      .where(ofScopes(part))
      .execute();
    for (const e of edges) {
      const k = scopeKey(e);
      const set = storedEdges.get(k) ?? new Set<string>();
      set.add(edgeKey({ from: e.from_arn, to: e.to_arn, kind: e.kind }));
      storedEdges.set(k, set);
    }
  }

  const inserts: Insertable<Database["inventory_resources"]>[] = [];
  const seenAgain: { connection: string; arn: string }[] = [];
  const gone: { connection: string; arn: string }[] = [];
  const changes: Insertable<Database["inventory_changes"]>[] = [];
  const edgesChanged: { scope: SyncScope; edges: Edge[] }[] = [];
  const counts: SyncCounts[] = [];

  for (const { scope, listing } of items) {
    const listed = new Map<string, { parent: string | null; zone: string | null }>();
    for (const r of listing.resources) {
      if (r.arn === "") continue;
      listed.set(r.arn, { parent: r.parent ?? null, zone: r.zone ?? null });
    }
    const edges = new Map<string, Edge>();
    for (const e of listing.edges) if (e.from !== "" && e.to !== "") edges.set(edgeKey(e), e);

    const before = existing.get(keyOf(scope)) ?? [];
    const known = new Map(before.map((r) => [r.arn, r]));
    const change = (arn: string, kind: "appeared" | "disappeared") =>
      changes.push({
        id: newId(),
        org_id: scope.orgId,
        connection_id: scope.connectionId,
        region: scope.region,
        type: scope.type,
        arn,
        change: kind,
        at: now,
        run_id: scope.runId,
      });
    let appeared = 0;
    let disappeared = 0;
    for (const [arn, r] of listed) {
      const was = known.get(arn);
      if (was === undefined) {
        inserts.push({
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
        });
        change(arn, "appeared");
        appeared++;
      } else if (was.parent_arn !== r.parent || was.zone !== r.zone || was.gone_at !== null) {
        if (was.gone_at !== null) {
          change(arn, "appeared");
          appeared++;
        }
        await tx
          .updateTable("inventory_resources")
          .set({ parent_arn: r.parent, zone: r.zone, last_seen: now, gone_at: null })
          .where("connection_id", "=", scope.connectionId)
          .where("arn", "=", arn)
          .execute();
      } else seenAgain.push({ connection: scope.connectionId, arn });
    }
    for (const r of before)
      if (r.gone_at === null && !listed.has(r.arn)) {
        gone.push({ connection: scope.connectionId, arn: r.arn });
        change(r.arn, "disappeared");
        disappeared++;
      }

    const stored = storedEdges.get(keyOf(scope)) ?? new Set<string>();
    if (stored.size !== edges.size || [...edges.keys()].some((k) => !stored.has(k)))
      edgesChanged.push({ scope, edges: [...edges.values()] });

    counts.push({
      type: scope.type,
      resources: listed.size,
      appeared,
      disappeared,
      edges: edges.size,
    });
  }

  for (const part of chunks(inserts))
    await tx.insertInto("inventory_resources").values(part).execute();
  for (const [connection, rows] of groupBy(seenAgain, (r) => r.connection))
    for (const part of chunks(rows.map((r) => r.arn)))
      await tx
        .updateTable("inventory_resources")
        .set({ last_seen: now })
        .where("connection_id", "=", connection)
        .where("arn", "in", part)
        .execute();
  for (const [connection, rows] of groupBy(gone, (r) => r.connection))
    for (const part of chunks(rows.map((r) => r.arn)))
      await tx
        .updateTable("inventory_resources")
        .set({ gone_at: now })
        .where("connection_id", "=", connection)
        .where("arn", "in", part)
        .execute();
  for (const part of chunks(changes))
    await tx.insertInto("inventory_changes").values(part).execute();

  for (const part of chunks(
    edgesChanged.map((c) => c.scope),
    SCOPES_PER_STATEMENT,
  ))
    await tx.deleteFrom("inventory_edges").where(ofScopes(part)).execute();
  const edgeRows = edgesChanged.flatMap(({ scope, edges }) =>
    edges.map((e) => ({
      org_id: scope.orgId,
      connection_id: scope.connectionId,
      region: scope.region,
      type: scope.type,
      from_arn: e.from,
      to_arn: e.to,
      kind: e.kind,
    })),
  );
  for (const part of chunks(edgeRows))
    await tx.insertInto("inventory_edges").values(part).execute();

  for (const part of chunks(scopes))
    await upsertScopes(
      tx,
      part.map((scope) => scopeRow(scope, now, { synced: true, error: null })),
    );
  return counts;
}

interface ExistingRow {
  arn: string;
  parent_arn: string | null;
  zone: string | null;
  gone_at: string | null;
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
  await upsertScopes(db, [scopeRow(scope, clock.now().toISOString(), { synced: false, error })]);
}

function scopeRow(
  scope: SyncScope,
  now: string,
  outcome: { synced: boolean; error: { code: string; message: string } | null },
): Insertable<Database["inventory_scopes"]> {
  return {
    org_id: scope.orgId,
    connection_id: scope.connectionId,
    region: scope.region,
    type: scope.type,
    account_id: scope.accountId,
    synced_at: outcome.synced ? now : null,
    checked_at: now,
    run_id: scope.runId,
    error: outcome.error === null ? null : JSON.stringify(outcome.error),
  };
}

/** A failed check keeps the scope's last success time; a success sets it. */
async function upsertScopes(
  db: DbOrTx,
  rows: Insertable<Database["inventory_scopes"]>[],
): Promise<void> {
  const synced = rows.some((r) => r.synced_at !== null);
  await db
    .insertInto("inventory_scopes")
    .values(rows)
    .onConflict((oc) =>
      oc.columns(["connection_id", "region", "type"]).doUpdateSet((eb) => ({
        checked_at: eb.ref("excluded.checked_at"),
        run_id: eb.ref("excluded.run_id"),
        error: eb.ref("excluded.error"),
        account_id: eb.ref("excluded.account_id"),
        ...(synced ? { synced_at: eb.ref("excluded.synced_at") } : {}),
      })),
    )
    .execute();
}
