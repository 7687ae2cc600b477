import type { Principal } from "../access/index.js";
import { visibleConnection } from "../connections/index.js";
import type { Db } from "../db/index.js";
import { decodeCursor, toPage } from "../http/pagination.js";
import type { InventoryResource } from "./schemas.js";

export interface ResourceQuery {
  connection: string;
  region?: string | undefined;
  type?: string | undefined;
  gone: boolean;
  limit: number;
  cursor?: string | undefined;
}

/**
 * What the inventory holds for one connection the principal may see: resources by ARN with
 * their parent and edges, paged, and each listed scope with its freshness (a stale scope names
 * the error of its last listing).
 */
export async function listResources(db: Db, principal: Principal, query: ResourceQuery) {
  const { connection } = await visibleConnection(db, principal, query.connection);
  const after = decodeCursor(query.cursor);
  let select = db
    .selectFrom("inventory_resources")
    .selectAll()
    .where("connection_id", "=", connection.id)
    .orderBy("arn")
    .limit(query.limit + 1);
  if (query.region !== undefined) select = select.where("region", "=", query.region);
  if (query.type !== undefined) select = select.where("type", "=", query.type);
  if (!query.gone) select = select.where("gone_at", "is", null);
  if (after !== undefined) select = select.where("arn", ">", after);
  const rows = await select.execute();
  const page = toPage(rows, query.limit, (r) => r.arn);

  const arns = page.items.map((r) => r.arn);
  const edges =
    arns.length === 0
      ? []
      : await db
          .selectFrom("inventory_edges")
          .select(["from_arn", "to_arn", "kind"])
          .where("connection_id", "=", connection.id)
          .where("from_arn", "in", arns)
          .orderBy("to_arn")
          .execute();
  const byFrom = new Map<string, { to: string; kind: string }[]>();
  for (const e of edges) {
    const list = byFrom.get(e.from_arn) ?? [];
    list.push({ to: e.to_arn, kind: e.kind });
    byFrom.set(e.from_arn, list);
  }
  const scopes = await db
    .selectFrom("inventory_scopes")
    .selectAll()
    .where("connection_id", "=", connection.id)
    .orderBy("region")
    .orderBy("type")
    .execute();

  return {
    connection: connection.name,
    items: page.items.map((r): InventoryResource => ({
      arn: r.arn,
      type: r.type,
      accountId: r.account_id,
      region: r.region,
      parent: r.parent_arn,
      zone: r.zone,
      edges: byFrom.get(r.arn) ?? [],
      firstSeen: r.first_seen,
      lastSeen: r.last_seen,
      goneAt: r.gone_at,
    })),
    nextCursor: page.nextCursor,
    scopes: scopes.map((s) => ({
      region: s.region,
      type: s.type,
      syncedAt: s.synced_at,
      checkedAt: s.checked_at,
      runId: s.run_id,
      stale: s.error !== null,
      error: s.error === null ? null : (JSON.parse(s.error) as { code: string; message: string }),
    })),
  };
}
