/**
 * The graph route's data → what the diagram draws. Pure (no DOM, no Cytoscape): the page, the
 * layout worker's caller, the tests and the bench share it.
 *
 * Containment is account → region → VPC → availability zone → subnet, as Cloudcraft draws it.
 * A resource whose parent is another component (a volume's instance, a service's ECS cluster)
 * sits in that component's box. A group can be collapsed to one node; within an open box, many
 * components of one type become one aggregate node ("37 × Lambda function") until opened; edges
 * are lifted to whatever node shows each end, deduplicated with a count.
 */

export interface DiagramEdge {
  to: string;
  kind: string;
}

/** One stored resource, as `POST /inventory/graph` lists it (never an attribute). */
export interface DiagramResource {
  arn: string;
  type: string;
  accountId: string;
  region: string;
  connection: string;
  parent: string | null;
  zone: string | null;
  edges: DiagramEdge[];
  firstSeen?: string;
  lastSeen?: string;
}

export interface AccountHealth {
  reachable: boolean;
  suspended: boolean;
  blockedRegions: { region: string; reason: string }[];
  lastError: { code: string; message: string } | null;
  checkedAt: string | null;
}

export interface DiagramAccount {
  accountId: string;
  connections: string[];
  health: AccountHealth | null;
}

export interface StaleScope {
  connection: string;
  region: string;
  type: string;
  stale: true;
  syncedAt: string | null;
  error: { code: string; message: string } | null;
}

export interface GraphData {
  generatedAt: string;
  resources: DiagramResource[];
  accounts: DiagramAccount[];
  scopes: StaleScope[];
}

export type GroupKind = "account" | "region" | "vpc" | "zone" | "subnet";

export interface Group {
  id: string;
  kind: GroupKind;
  /** The group's own resource (a VPC's or a subnet's ARN), when it is one. */
  arn: string | null;
  parent: string | null;
  accountId: string;
  region: string | null;
  zone: string | null;
  groups: string[];
  /** The ARNs drawn directly in this box. */
  members: string[];
}

export interface Hierarchy {
  groups: Map<string, Group>;
  roots: string[];
  resources: Map<string, DiagramResource>;
  /** The box each resource that is not itself a group is drawn in. */
  containerOf: Map<string, string>;
  accounts: Map<string, DiagramAccount>;
}

const GROUP_TYPES: Record<string, GroupKind> = { "ec2.vpc": "vpc", "ec2.subnet": "subnet" };

export const accountGroupId = (accountId: string) => `account:${accountId}`;
export const regionGroupId = (accountId: string, region: string) => `region:${accountId}:${region}`;
export const zoneGroupId = (vpcArn: string, zone: string) => `zone:${vpcArn}:${zone}`;

/** The part after the last `/` (or `:`) of an ARN: the id people recognise (vpc-0a1b…). */
export function shortId(arn: string): string {
  const slash = arn.lastIndexOf("/");
  return slash >= 0 ? arn.slice(slash + 1) : arn.slice(arn.lastIndexOf(":") + 1);
}

export function buildHierarchy(data: GraphData): Hierarchy {
  const groups = new Map<string, Group>();
  const roots: string[] = [];
  const resources = new Map(data.resources.map((r) => [r.arn, r]));
  const containerOf = new Map<string, string>();
  const accounts = new Map(data.accounts.map((a) => [a.accountId, a]));

  const ensure = (
    id: string,
    kind: GroupKind,
    parent: string | null,
    fields: Pick<Group, "accountId" | "region" | "zone" | "arn">,
  ): Group => {
    let group = groups.get(id);
    if (group === undefined) {
      group = { id, kind, parent, groups: [], members: [], ...fields };
      groups.set(id, group);
      if (parent === null) roots.push(id);
      else groups.get(parent)?.groups.push(id);
    }
    return group;
  };
  const account = (accountId: string) =>
    ensure(accountGroupId(accountId), "account", null, {
      accountId,
      region: null,
      zone: null,
      arn: null,
    });
  const region = (accountId: string, name: string) => {
    account(accountId);
    return ensure(regionGroupId(accountId, name), "region", accountGroupId(accountId), {
      accountId,
      region: name,
      zone: null,
      arn: null,
    });
  };

  const sorted = [...data.resources].sort((a, b) =>
    a.accountId !== b.accountId
      ? a.accountId < b.accountId
        ? -1
        : 1
      : a.region !== b.region
        ? a.region < b.region
          ? -1
          : 1
        : a.arn < b.arn
          ? -1
          : 1,
  );
  for (const a of [...accounts.keys()].sort()) account(a);
  // VPCs first, then subnets (in their zone's column), so every box exists before its content.
  for (const r of sorted) {
    if (r.type !== "ec2.vpc") continue;
    const parent = region(r.accountId, r.region).id;
    ensure(r.arn, "vpc", parent, {
      accountId: r.accountId,
      region: r.region,
      zone: null,
      arn: r.arn,
    });
  }
  for (const r of sorted) {
    if (r.type !== "ec2.subnet") continue;
    const vpc = r.parent === null ? undefined : groups.get(r.parent);
    let parent = region(r.accountId, r.region).id;
    if (vpc?.kind === "vpc") {
      parent = vpc.id;
      if (r.zone !== null) {
        parent = ensure(zoneGroupId(vpc.id, r.zone), "zone", vpc.id, {
          accountId: r.accountId,
          region: r.region,
          zone: r.zone,
          arn: null,
        }).id;
      }
    }
    ensure(r.arn, "subnet", parent, {
      accountId: r.accountId,
      region: r.region,
      zone: r.zone,
      arn: r.arn,
    });
  }
  const resolve = (arn: string, depth: number): string | undefined => {
    if (groups.has(arn)) return arn;
    const known = containerOf.get(arn);
    if (known !== undefined) return known;
    const r = resources.get(arn);
    if (r === undefined || depth > 8) return undefined;
    const viaParent = r.parent === null ? undefined : resolve(r.parent, depth + 1);
    return viaParent ?? region(r.accountId, r.region).id;
  };
  for (const r of sorted) {
    if (GROUP_TYPES[r.type] !== undefined) continue;
    const container = resolve(r.arn, 0) ?? region(r.accountId, r.region).id;
    containerOf.set(r.arn, container);
    groups.get(container)?.members.push(r.arn);
  }
  return { groups, roots, resources, containerOf, accounts };
}

/** The ids of a group and every group inside it. */
export function descendantGroups(h: Hierarchy, id: string): string[] {
  const out: string[] = [];
  const walk = (g: string) => {
    out.push(g);
    for (const child of h.groups.get(g)?.groups ?? []) walk(child);
  };
  walk(id);
  return out;
}

/** The groups that contain an ARN (outermost first), itself included when it is a group. */
export function ancestorsOf(h: Hierarchy, arn: string): string[] {
  const out: string[] = [];
  let current: string | null | undefined = h.groups.has(arn) ? arn : h.containerOf.get(arn);
  while (current !== null && current !== undefined) {
    out.unshift(current);
    current = h.groups.get(current)?.parent;
  }
  return out;
}

export type NodeKind = "group" | "collapsed" | "aggregate" | "resource";

export interface VisibleNode {
  id: string;
  parent: string | null;
  kind: NodeKind;
  label: string;
  groupKind?: GroupKind;
  type?: string;
  arn?: string;
  /** How many resources a collapsed group or an aggregate stands for. */
  count?: number;
  /** An aggregate's resources. */
  members?: string[];
  accountId?: string;
}

export interface VisibleEdge {
  id: string;
  source: string;
  target: string;
  kinds: string[];
  count: number;
}

export interface VisibleGraph {
  nodes: VisibleNode[];
  edges: VisibleEdge[];
  /** Which node shows each resource now (itself, its aggregate or a collapsed group). */
  shownBy: Map<string, string>;
}

export interface ViewOptions {
  /** Collapsed groups and aggregates (a collapsed aggregate is one node). */
  collapsed: ReadonlySet<string>;
  /** Resource types not drawn. */
  hiddenTypes?: ReadonlySet<string>;
  /** A resource drawn only when this says so (a tag filter); groups stay. */
  include?: (arn: string) => boolean;
  /** Aggregates by a tag's value instead of by type ("app=web"). */
  groupByTag?: { key: string; tagsOf: (arn: string) => Record<string, string> | undefined };
  /** Edge kinds drawn; all when absent. */
  edgeKinds?: ReadonlySet<string>;
  titles?: Record<string, string>;
  /** Live names, where known. */
  nameOf?: (arn: string) => string | undefined;
}

/** From this many components of one type in one box, they are one node until opened. */
export const AGGREGATE_MIN = 6;

/** Structural links (membership of a subnet or a security group) that are not traffic. */
export const STRUCTURAL_EDGE_KINDS = ["in-subnet", "uses-group", "member-of", "allows"];

export function typeTitle(type: string, titles: Record<string, string> | undefined): string {
  return titles?.[type] ?? type;
}

/** The label of a group's box (or of its node when collapsed). */
export function groupLabel(h: Hierarchy, g: Group, nameOf?: (arn: string) => string | undefined) {
  switch (g.kind) {
    case "account": {
      const a = h.accounts.get(g.accountId);
      const names = a?.connections.join(", ") ?? "";
      return `Account ${g.accountId}${names === "" ? "" : ` · ${names}`}`;
    }
    case "region":
      return g.region ?? "";
    case "zone":
      return g.zone ?? "";
    case "vpc":
    case "subnet": {
      const id = shortId(g.arn ?? g.id);
      const name = g.arn === null ? undefined : nameOf?.(g.arn);
      return `${g.kind === "vpc" ? "VPC" : "Subnet"} ${name === undefined ? id : `${name} (${id})`}`;
    }
  }
}

/** The aggregate ids a hierarchy offers by default: each (box, type) with AGGREGATE_MIN or more. */
export function aggregateIds(h: Hierarchy, hiddenTypes?: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const g of h.groups.values()) {
    const byType = new Map<string, number>();
    for (const arn of g.members) {
      const type = h.resources.get(arn)?.type ?? "";
      if (hiddenTypes?.has(type) === true) continue;
      byType.set(type, (byType.get(type) ?? 0) + 1);
    }
    for (const [type, n] of byType) if (n >= AGGREGATE_MIN) out.push(aggregateId(g.id, type));
  }
  return out;
}

export const aggregateId = (groupId: string, key: string) => `agg:${groupId}:${key}`;

/** What is visible for the given collapsed set and filters. */
export function visibleGraph(h: Hierarchy, options: ViewOptions): VisibleGraph {
  const nodes: VisibleNode[] = [];
  const shownBy = new Map<string, string>();
  const { collapsed, hiddenTypes, include, groupByTag, titles, nameOf } = options;
  const drawn = (arn: string) => {
    const r = h.resources.get(arn);
    if (r === undefined) return false;
    if (hiddenTypes?.has(r.type) === true) return false;
    return include === undefined || include(arn);
  };
  // How many drawn resources a group holds (its own ARN included): empty boxes are not drawn,
  // unless they are an account whose health has something to say.
  const counts = new Map<string, number>();
  const count = (id: string): number => {
    const known = counts.get(id);
    if (known !== undefined) return known;
    const g = h.groups.get(id);
    if (g === undefined) return 0;
    let n = g.arn !== null && drawn(g.arn) ? 1 : 0;
    for (const arn of g.members) if (drawn(arn)) n++;
    for (const child of g.groups) n += count(child);
    counts.set(id, n);
    return n;
  };
  const hide = (id: string, by: string) => {
    const g = h.groups.get(id);
    if (g === undefined) return;
    if (g.arn !== null) shownBy.set(g.arn, by);
    for (const arn of g.members) if (drawn(arn)) shownBy.set(arn, by);
    for (const child of g.groups) hide(child, by);
  };
  const emit = (id: string, parent: string | null) => {
    const g = h.groups.get(id);
    if (g === undefined) return;
    const n = count(id);
    const health = g.kind === "account" ? h.accounts.get(g.accountId)?.health : null;
    if (n === 0 && !(health !== null && health !== undefined)) return;
    const label = groupLabel(h, g, nameOf);
    const common = {
      groupKind: g.kind,
      accountId: g.accountId,
      ...(g.arn === null ? {} : { arn: g.arn }),
    };
    if (collapsed.has(id) || n === 0) {
      nodes.push({ id, parent, kind: "collapsed", label, count: n, ...common });
      hide(id, id);
      return;
    }
    nodes.push({ id, parent, kind: "group", label, count: n, ...common });
    if (g.arn !== null) shownBy.set(g.arn, id);
    const buckets = new Map<string, string[]>();
    const singles: string[] = [];
    for (const arn of g.members) {
      if (!drawn(arn)) continue;
      const r = h.resources.get(arn);
      if (r === undefined) continue;
      let key = r.type;
      if (groupByTag !== undefined) {
        const value = groupByTag.tagsOf(arn)?.[groupByTag.key];
        if (value === undefined) {
          singles.push(arn);
          continue;
        }
        key = `${groupByTag.key}=${value}`;
      }
      const list = buckets.get(key);
      if (list === undefined) buckets.set(key, [arn]);
      else list.push(arn);
    }
    for (const [key, arns] of buckets) {
      const agg = aggregateId(id, key);
      const byTag = groupByTag !== undefined;
      if ((byTag || arns.length >= AGGREGATE_MIN) && collapsed.has(agg)) {
        const type = h.resources.get(arns[0] ?? "")?.type ?? key;
        nodes.push({
          id: agg,
          parent: id,
          kind: "aggregate",
          label: byTag ? `${key} · ${arns.length}` : `${arns.length} × ${typeTitle(key, titles)}`,
          type,
          count: arns.length,
          members: arns,
          accountId: g.accountId,
        });
        for (const arn of arns) shownBy.set(arn, agg);
      } else singles.push(...arns);
    }
    for (const arn of singles) {
      const r = h.resources.get(arn);
      if (r === undefined) continue;
      const name = nameOf?.(arn);
      nodes.push({
        id: arn,
        parent: id,
        kind: "resource",
        label: `${typeTitle(r.type, titles)}\n${name ?? shortId(arn)}`,
        type: r.type,
        arn,
        accountId: r.accountId,
      });
      shownBy.set(arn, arn);
    }
    for (const child of g.groups) emit(child, id);
  };
  for (const root of h.roots) emit(root, null);

  const parentOf = new Map(nodes.map((n) => [n.id, n.parent]));
  const isAncestor = (a: string, b: string) => {
    for (let p = parentOf.get(b); p !== null && p !== undefined; p = parentOf.get(p))
      if (p === a) return true;
    return false;
  };
  const edges = new Map<string, VisibleEdge>();
  for (const r of h.resources.values()) {
    const source = shownBy.get(r.arn);
    if (source === undefined) continue;
    for (const e of r.edges) {
      if (options.edgeKinds !== undefined && !options.edgeKinds.has(e.kind)) continue;
      const target = shownBy.get(e.to);
      if (target === undefined || target === source) continue;
      if (isAncestor(source, target) || isAncestor(target, source)) continue;
      const id = `edge:${source}->${target}`;
      const edge = edges.get(id);
      if (edge === undefined) edges.set(id, { id, source, target, kinds: [e.kind], count: 1 });
      else {
        edge.count++;
        if (!edge.kinds.includes(e.kind)) edge.kinds.push(e.kind);
      }
    }
  }
  return { nodes, edges: [...edges.values()], shownBy };
}

/**
 * The collapsed set a diagram opens with: every aggregate, then the deepest level (none,
 * subnets, VPCs, regions) at which at most `maxNodes` nodes are visible.
 */
export function defaultCollapsed(
  h: Hierarchy,
  options: Omit<ViewOptions, "collapsed"> & { maxNodes?: number } = {},
): string[] {
  const maxNodes = options.maxNodes ?? 300;
  const aggregates = aggregateIds(h, options.hiddenTypes);
  const levels: GroupKind[][] = [[], ["subnet"], ["vpc"], ["region"], ["account"]];
  let chosen: string[] = aggregates;
  for (const kinds of levels) {
    const ids = [
      ...aggregates,
      ...[...h.groups.values()].filter((g) => kinds.includes(g.kind)).map((g) => g.id),
    ];
    chosen = ids;
    if (visibleGraph(h, { ...options, collapsed: new Set(ids) }).nodes.length <= maxNodes) break;
  }
  return chosen;
}
