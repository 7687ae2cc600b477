import type { Principal } from "../access/index.js";
import type { Clock } from "../clock.js";
import { listVisibleConnections } from "../connections/index.js";
import type { Db } from "../db/index.js";
import { accountHealth } from "../organizations/index.js";
import { RESOURCE_TYPES } from "./resource-types.js";
import type { Graph, GraphRequest } from "./schemas.js";

// A global type's resources are stored under the region its one listing ran in: they belong to
// the account, so a region filter keeps them.
const GLOBAL_TYPES = RESOURCE_TYPES.filter((t) => t.global).map((t) => t.type);

/**
 * Everything the inventory holds for a selection, as one picture for the diagram: the
 * resources of the connections the principal may see (any role), each ARN once, with parents
 * and edges; each account with its organization health; the stale scopes. Connections of the
 * selection the principal may not see are left out as if they did not exist, so a saved view
 * opened by someone else shows only what their grants allow. Three queries whatever the size
 * (resources, edges, scopes) and one for the health ledger. No attribute: those come live.
 */
export async function buildGraph(
  deps: { db: Db; clock: Clock },
  principal: Principal,
  request: GraphRequest,
): Promise<Graph> {
  const { db } = deps;
  const visible = (await listVisibleConnections(db, principal)).map((v) => v.connection);
  let chosen = visible;
  const selector = request.connections;
  if (Array.isArray(selector)) {
    const names = new Set(selector);
    chosen = visible.filter((c) => names.has(c.name));
  } else if (selector !== "*") {
    const at = selector.tag.indexOf("=");
    const [key, value] = [selector.tag.slice(0, at), selector.tag.slice(at + 1)];
    chosen = visible.filter((c) => c.tags[key] === value);
  }
  const generatedAt = deps.clock.now().toISOString();
  if (chosen.length === 0) return { generatedAt, resources: [], accounts: [], scopes: [] };

  const ids = chosen.map((c) => c.id);
  const nameOf = new Map(chosen.map((c) => [c.id, c.name]));
  const regions = request.regions === undefined || request.regions === "*" ? [] : request.regions;

  let resourceQuery = db
    .selectFrom("inventory_resources")
    .select([
      "connection_id",
      "arn",
      "type",
      "account_id",
      "region",
      "parent_arn",
      "zone",
      "first_seen",
      "last_seen",
    ])
    .where("org_id", "=", principal.orgId)
    .where("connection_id", "in", ids)
    .where("gone_at", "is", null);
  if (regions.length > 0)
    resourceQuery = resourceQuery.where((eb) =>
      eb.or([eb("region", "in", regions), eb("type", "in", GLOBAL_TYPES)]),
    );
  let scopeQuery = db
    .selectFrom("inventory_scopes")
    .select(["connection_id", "account_id", "region", "type", "synced_at", "error"])
    .where("org_id", "=", principal.orgId)
    .where("connection_id", "in", ids);
  if (regions.length > 0)
    scopeQuery = scopeQuery.where((eb) =>
      eb.or([eb("region", "in", regions), eb("type", "in", GLOBAL_TYPES)]),
    );
  const [rows, edgeRows, scopeRows] = await Promise.all([
    resourceQuery.orderBy("arn").orderBy("connection_id").execute(),
    db
      .selectFrom("inventory_edges")
      .select(["connection_id", "from_arn", "to_arn", "kind"])
      .where("org_id", "=", principal.orgId)
      .where("connection_id", "in", ids)
      .orderBy("from_arn")
      .orderBy("to_arn")
      .orderBy("kind")
      .execute(),
    scopeQuery.orderBy("region").orderBy("type").execute(),
  ]);

  // Two connections to one account list the same ARNs: the diagram draws each once, with the
  // first connection by name (the one its side panel acts with).
  const order = new Map(chosen.map((c, i) => [c.id, i]));
  const kept = new Map<string, (typeof rows)[number]>();
  for (const row of rows) {
    const current = kept.get(row.arn);
    if (
      current === undefined ||
      (order.get(row.connection_id) ?? 0) < (order.get(current.connection_id) ?? 0)
    )
      kept.set(row.arn, row);
  }
  const edgesOf = new Map<string, { to: string; kind: string }[]>();
  for (const edge of edgeRows) {
    if (kept.get(edge.from_arn)?.connection_id !== edge.connection_id) continue;
    const list = edgesOf.get(edge.from_arn) ?? [];
    list.push({ to: edge.to_arn, kind: edge.kind });
    edgesOf.set(edge.from_arn, list);
  }

  // Accounts: those of the chosen connections, whether or not anything was listed yet.
  const connectionsOf = new Map<string, Set<string>>();
  const addAccount = (accountId: string | null, connectionId: string) => {
    if (accountId === null) return;
    const set = connectionsOf.get(accountId) ?? new Set<string>();
    set.add(nameOf.get(connectionId) ?? connectionId);
    connectionsOf.set(accountId, set);
  };
  for (const c of chosen) addAccount(c.accountId, c.id);
  for (const s of scopeRows) addAccount(s.account_id, s.connection_id);
  const accountIds = [...connectionsOf.keys()].sort();
  const health = await accountHealth(db, principal.orgId, accountIds);

  return {
    generatedAt,
    resources: [...kept.values()].map((r) => ({
      arn: r.arn,
      type: r.type,
      accountId: r.account_id,
      region: r.region,
      connection: nameOf.get(r.connection_id) ?? "",
      parent: r.parent_arn,
      zone: r.zone,
      edges: edgesOf.get(r.arn) ?? [],
      firstSeen: r.first_seen,
      lastSeen: r.last_seen,
    })),
    accounts: accountIds.map((accountId) => ({
      accountId,
      connections: [...(connectionsOf.get(accountId) ?? [])].sort(),
      health: health.get(accountId) ?? null,
    })),
    scopes: scopeRows
      .filter((s) => s.error !== null)
      .map((s) => ({
        connection: nameOf.get(s.connection_id) ?? "",
        region: s.region,
        type: s.type,
        stale: true as const,
        syncedAt: s.synced_at,
        error: JSON.parse(s.error ?? "null") as { code: string; message: string } | null,
      })),
  };
}
