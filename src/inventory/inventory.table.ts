/**
 * The inventory: what a sync saw, as ARNs, types and relations with when each was first and last
 * seen. No attribute (state, name, tag, address, size) is ever a column here: those are fetched
 * live when someone looks (fetch-attributes.ts).
 */
export interface InventoryResourceTable {
  org_id: string;
  connection_id: string;
  account_id: string;
  /** The region the listing ran in (for a global type, the region its one target ran in). */
  region: string;
  type: string;
  arn: string;
  /** Containment: the ARN of what holds it (subnet, VPC, cluster, …); null: the region itself. */
  parent_arn: string | null;
  /** Containment of a subnet: the availability zone it is in (the AZ box of the diagram). */
  zone: string | null;
  first_seen: string;
  last_seen: string;
  /** When a successful listing of its scope no longer had it; null while it is there. */
  gone_at: string | null;
}

/** A relation other than containment: load balancer → target group → target, and the others. */
export interface InventoryEdgeTable {
  org_id: string;
  connection_id: string;
  region: string;
  /** The resource type whose listing found the edge: its next listing replaces them. */
  type: string;
  from_arn: string;
  to_arn: string;
  kind: string;
}

/** One (connection, region, type) a sync lists: when it last succeeded, and why it is stale. */
export interface InventoryScopeTable {
  org_id: string;
  connection_id: string;
  region: string;
  type: string;
  account_id: string;
  /** The last listing that succeeded; null when none has yet. */
  synced_at: string | null;
  /** The last listing tried. */
  checked_at: string;
  run_id: string;
  /** JSON {code, message} of the last listing when it failed (its picture is stale); else null. */
  error: string | null;
}

/** What appeared and disappeared between syncs: the change timeline, ARNs only. */
export interface InventoryChangeTable {
  id: string;
  org_id: string;
  connection_id: string;
  region: string;
  type: string;
  arn: string;
  change: "appeared" | "disappeared";
  at: string;
  run_id: string;
}

/** A sync on a schedule: a selection, and the user whose grants its runs execute with. */
export interface InventoryScheduleTable {
  id: string;
  org_id: string;
  name: string;
  cron: string;
  timezone: string;
  /** JSON: the sync request (connections, regions, types). */
  request: string;
  run_as_user_id: string;
  created_at: string;
}

/**
 * A public AWS price (On-Demand), cached per org: from the Price List Query API or an imported
 * offer file. Prices are AWS's published facts, not customer data, so they may be stored.
 */
export interface InventoryPriceTable {
  org_id: string;
  service_code: string;
  sku: string;
  unit: string;
  region_code: string;
  product_family: string;
  /** JSON: the product's attributes as the price list gives them (instanceType, …). */
  attributes: string;
  /** USD per unit, as AWS writes it (a decimal string). */
  usd: string;
  description: string;
  /** "api" (pricing:GetProducts) or "import" (an offer file). */
  source: string;
  /** The price list's publication date. */
  published_at: string;
  fetched_at: string;
}

/** A saved view of the diagram: private to its owner, or shared with one team. */
export interface InventoryViewTable {
  id: string;
  org_id: string;
  owner_user_id: string;
  name: string;
  /** JSON: the graph selection ({connections, regions?}), re-checked against grants when opened. */
  selection: string;
  /** JSON array of the ids of the groups shown collapsed. */
  collapsed: string;
  /** JSON object: node id → {x, y} the user pinned. */
  pinned: string;
  /** The team it is shared with; null: private. */
  team_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface InventoryTables {
  inventory_resources: InventoryResourceTable;
  inventory_edges: InventoryEdgeTable;
  inventory_scopes: InventoryScopeTable;
  inventory_changes: InventoryChangeTable;
  inventory_schedules: InventoryScheduleTable;
  inventory_prices: InventoryPriceTable;
  inventory_views: InventoryViewTable;
}
