import type { Principal } from "../access/index.js";
import { visibleConnection } from "../connections/index.js";
import type { Db } from "../db/index.js";
import { decodeCursor, toPage } from "../http/pagination.js";

/**
 * The change timeline of one connection the principal may see, newest first: what appeared and
 * what disappeared at each sync (ARNs and types only).
 */
export async function listChanges(
  db: Db,
  principal: Principal,
  query: {
    connection: string;
    since?: string | undefined;
    limit: number;
    cursor?: string | undefined;
  },
) {
  const { connection } = await visibleConnection(db, principal, query.connection);
  const before = decodeCursor(query.cursor);
  let select = db
    .selectFrom("inventory_changes")
    .selectAll()
    .where("connection_id", "=", connection.id)
    .orderBy("id", "desc")
    .limit(query.limit + 1);
  if (query.since !== undefined) select = select.where("at", ">=", query.since);
  if (before !== undefined) select = select.where("id", "<", before);
  const page = toPage(await select.execute(), query.limit, (r) => r.id);
  return {
    connection: connection.name,
    items: page.items.map((c) => ({
      at: c.at,
      change: c.change,
      arn: c.arn,
      type: c.type,
      region: c.region,
      runId: c.run_id,
    })),
    nextCursor: page.nextCursor,
  };
}
