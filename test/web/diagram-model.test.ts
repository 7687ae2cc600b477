import { describe, expect, it } from "vitest";
import { diagramSvg } from "../../web/src/pages/inventory/diagram/export.js";
import {
  aggregateId,
  AGGREGATE_MIN,
  buildHierarchy,
  defaultCollapsed,
  visibleGraph,
  type DiagramResource,
  type GraphData,
} from "../../web/src/pages/inventory/diagram/graph.js";
import {
  COMPOUND_PADDING,
  GAP,
  layoutDiagram,
  leafSize,
} from "../../web/src/pages/inventory/diagram/layout.js";

// The diagram's model without a browser: containment, aggregates, lifted edges, the level it
// opens at, the layout's boxes and the SVG text.
const ACCOUNT = "123456789012";
const arn = (kind: string, id: string, region = "us-east-1") =>
  `arn:aws:ec2:${region}:${ACCOUNT}:${kind}/${id}`;
const VPC = arn("vpc", "vpc-1");
const SUBNET_A = arn("subnet", "subnet-a");
const SUBNET_B = arn("subnet", "subnet-b");
const SG = arn("security-group", "sg-1");
const LB = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/app/web/1`;
const TG = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/web/1`;

function resource(
  r: Partial<DiagramResource> & Pick<DiagramResource, "arn" | "type">,
): DiagramResource {
  return {
    accountId: ACCOUNT,
    region: "us-east-1",
    connection: "prod",
    parent: null,
    zone: null,
    edges: [],
    ...r,
  };
}

function world(instancesPerSubnet: number, functions: number): GraphData {
  const resources: DiagramResource[] = [
    resource({ arn: VPC, type: "ec2.vpc" }),
    resource({ arn: SUBNET_A, type: "ec2.subnet", parent: VPC, zone: "us-east-1a" }),
    resource({ arn: SUBNET_B, type: "ec2.subnet", parent: VPC, zone: "us-east-1b" }),
    resource({ arn: SG, type: "ec2.security-group", parent: VPC }),
  ];
  const instances: string[] = [];
  for (const subnet of [SUBNET_A, SUBNET_B])
    for (let i = 0; i < instancesPerSubnet; i++) {
      const instance = arn("instance", `i-${subnet.slice(-1)}${i}`);
      instances.push(instance);
      resources.push(
        resource({
          arn: instance,
          type: "ec2.instance",
          parent: subnet,
          edges: [{ to: SG, kind: "uses-group" }],
        }),
        resource({
          arn: arn("volume", `vol-${subnet.slice(-1)}${i}`),
          type: "ec2.volume",
          parent: instance,
        }),
      );
    }
  resources.push(
    resource({
      arn: TG,
      type: "elbv2.target-group",
      parent: VPC,
      edges: instances.map((to) => ({ to, kind: "targets" })),
    }),
    resource({
      arn: LB,
      type: "elbv2.load-balancer",
      parent: VPC,
      edges: [{ to: TG, kind: "forwards-to" }],
    }),
  );
  for (let f = 0; f < functions; f++)
    resources.push(
      resource({
        arn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:f${f}`,
        type: "lambda.function",
      }),
    );
  return {
    generatedAt: "2026-12-04T00:00:00Z",
    resources,
    accounts: [{ accountId: ACCOUNT, connections: ["prod"], health: null }],
    scopes: [],
  };
}

describe("diagram model", () => {
  it("nests account, region, VPC, one zone per subnet's zone, subnet; a volume sits in its instance's subnet", () => {
    const h = buildHierarchy(world(2, 0));
    expect(h.roots).toEqual([`account:${ACCOUNT}`]);
    expect(h.groups.get(VPC)?.parent).toBe(`region:${ACCOUNT}:us-east-1`);
    expect(h.groups.get(SUBNET_A)?.parent).toBe(`zone:${VPC}:us-east-1a`);
    expect(h.groups.get(`zone:${VPC}:us-east-1a`)?.parent).toBe(VPC);
    expect(h.containerOf.get(arn("volume", "vol-a0"))).toBe(SUBNET_A);
    expect(h.containerOf.get(SG)).toBe(VPC);
  });

  it("draws many of a type in one box as one aggregate until opened, and lifts edges to it with a count", () => {
    const h = buildHierarchy(world(AGGREGATE_MIN, 0));
    const aggregate = aggregateId(SUBNET_A, "ec2.instance");
    const closed = visibleGraph(h, { collapsed: new Set([aggregate]) });
    const node = closed.nodes.find((n) => n.id === aggregate);
    expect(node?.label).toBe(`${AGGREGATE_MIN} × ec2.instance`);
    expect(closed.nodes.some((n) => n.id === arn("instance", "i-a0"))).toBe(false);
    const lifted = closed.edges.find((e) => e.source === TG && e.target === aggregate);
    expect(lifted?.count).toBe(AGGREGATE_MIN);
    const open = visibleGraph(h, { collapsed: new Set() });
    expect(open.nodes.some((n) => n.id === arn("instance", "i-a0"))).toBe(true);
    expect(open.edges.filter((e) => e.source === TG)).toHaveLength(2 * AGGREGATE_MIN);
  });

  it("a collapsed VPC is one node that stands for everything in it, and edges into it are merged", () => {
    const h = buildHierarchy(world(2, 0));
    const g = visibleGraph(h, { collapsed: new Set([VPC]) });
    const vpc = g.nodes.find((n) => n.id === VPC);
    expect(vpc?.kind).toBe("collapsed");
    // The VPC, 2 subnets, the group, 4 instances, 4 volumes, the target group and the balancer.
    expect(vpc?.count).toBe(14);
    expect(g.nodes.filter((n) => n.parent === VPC)).toEqual([]);
    expect(g.shownBy.get(arn("instance", "i-b1"))).toBe(VPC);
    expect(g.edges).toEqual([]);
  });

  it("hides types and structural edge kinds when asked", () => {
    const h = buildHierarchy(world(1, 0));
    const g = visibleGraph(h, {
      collapsed: new Set(),
      hiddenTypes: new Set(["ec2.volume"]),
      edgeKinds: new Set(["targets", "forwards-to"]),
    });
    expect(g.nodes.some((n) => n.type === "ec2.volume")).toBe(false);
    expect(g.edges.some((e) => e.kinds.includes("uses-group"))).toBe(false);
    expect(g.edges.some((e) => e.kinds.includes("forwards-to"))).toBe(true);
  });

  it("keeps only the resources a tag filter includes, and groups a box's resources by a tag's value", () => {
    const h = buildHierarchy(world(3, 0));
    const tags = new Map([
      [arn("instance", "i-a0"), { app: "web" }],
      [arn("instance", "i-a1"), { app: "web" }],
      [arn("instance", "i-a2"), { app: "batch" }],
    ]);
    const only = visibleGraph(h, {
      collapsed: new Set(),
      include: (r) => tags.get(r)?.app === "web",
    });
    expect(only.nodes.filter((n) => n.kind === "resource").map((n) => n.id)).toEqual([
      arn("instance", "i-a0"),
      arn("instance", "i-a1"),
    ]);
    const web = aggregateId(SUBNET_A, "app=web");
    const grouped = visibleGraph(h, {
      collapsed: new Set([web]),
      groupByTag: { key: "app", tagsOf: (r) => tags.get(r) },
    });
    expect(grouped.nodes.find((n) => n.id === web)?.label).toBe("app=web · 2");
    expect(grouped.shownBy.get(arn("instance", "i-a1"))).toBe(web);
    // Not collapsed, and untagged: drawn one by one.
    expect(grouped.shownBy.get(arn("instance", "i-a2"))).toBe(arn("instance", "i-a2"));
    expect(grouped.shownBy.get(arn("volume", "vol-a0"))).toBe(arn("volume", "vol-a0"));
  });

  it("opens at the deepest level that keeps the nodes under the limit", () => {
    const h = buildHierarchy(world(40, 30));
    const all = visibleGraph(h, { collapsed: new Set() }).nodes.length;
    expect(all).toBeGreaterThan(150);
    const opened = new Set(defaultCollapsed(h, { maxNodes: 30 }));
    expect(opened.has(aggregateId(`region:${ACCOUNT}:us-east-1`, "lambda.function"))).toBe(true);
    expect(visibleGraph(h, { collapsed: opened }).nodes.length).toBeLessThanOrEqual(30);
    const roomy = new Set(defaultCollapsed(h, { maxNodes: 1000 }));
    expect(roomy.has(VPC)).toBe(false);
    expect(roomy.has(SUBNET_A)).toBe(false);
  });

  it("lays out leaves without overlap, each inside its parent box with room for the box's padding", () => {
    const h = buildHierarchy(world(7, 9));
    const g = visibleGraph(h, { collapsed: new Set() });
    const { positions } = layoutDiagram(g.nodes);
    const parents = new Set(g.nodes.map((n) => n.parent));
    const leaves = g.nodes.filter((n) => !parents.has(n.id));
    const boxes = leaves.map((n) => {
      const p = positions[n.id];
      if (p === undefined) throw new Error(`no position for ${n.id}`);
      const s = leafSize(n.kind);
      return {
        n,
        x1: p.x - s.width / 2,
        x2: p.x + s.width / 2,
        y1: p.y - s.height / 2,
        y2: p.y + s.height / 2,
      };
    });
    for (const a of boxes)
      for (const b of boxes)
        if (a !== b) expect(a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2).toBe(false);
    // Leaves of one subnet are all left of or right of, above or below, the other subnet's.
    const bounds = (parent: string) => {
      const mine = boxes.filter((b) => b.n.parent === parent);
      return {
        x1: Math.min(...mine.map((b) => b.x1)) - COMPOUND_PADDING,
        x2: Math.max(...mine.map((b) => b.x2)) + COMPOUND_PADDING,
        y1: Math.min(...mine.map((b) => b.y1)) - COMPOUND_PADDING,
        y2: Math.max(...mine.map((b) => b.y2)) + COMPOUND_PADDING,
      };
    };
    const a = bounds(SUBNET_A);
    const b = bounds(SUBNET_B);
    expect(a.x2 <= b.x1 || b.x2 <= a.x1 || a.y2 <= b.y1 || b.y2 <= a.y1).toBe(true);
    // Zones are columns side by side.
    expect(a.x2).toBeLessThanOrEqual(b.x1);
  });

  it("makes a box as wide as its label asks, its content in the middle, its neighbour moved along", () => {
    const nodes = [
      { id: "account", parent: null, kind: "group" as const, groupKind: "account" as const },
      {
        id: "wide",
        parent: "account",
        kind: "group" as const,
        groupKind: "region" as const,
        minWidth: 400,
      },
      { id: "narrow", parent: "account", kind: "group" as const, groupKind: "region" as const },
      { id: "a", parent: "wide", kind: "resource" as const },
      { id: "b", parent: "narrow", kind: "resource" as const },
    ];
    const plain = layoutDiagram(nodes.map(({ minWidth: _, ...n }) => n));
    const { positions, width } = layoutDiagram(nodes);
    const { width: leaf } = leafSize("resource");
    const box = leaf + 2 * COMPOUND_PADDING;
    // An account's regions sit in a row: the first is as wide as its label asks.
    expect(plain.width).toBe(2 * box + GAP + 2 * COMPOUND_PADDING);
    expect(width).toBe(400 + box + GAP + 2 * COMPOUND_PADDING);
    // Its leaf sits in the middle of the 400 px box; the next box starts after it.
    expect(positions.a?.x).toBe(COMPOUND_PADDING + 200);
    expect(positions.b?.x).toBe(COMPOUND_PADDING + 400 + GAP + box / 2);
  });

  it("writes an SVG with boxes, labelled components and escaped text", () => {
    const svg = diagramSvg(
      [
        {
          id: VPC,
          kind: "group",
          groupKind: "vpc",
          label: "VPC a<b",
          x1: 0,
          y1: 0,
          x2: 300,
          y2: 200,
        },
        {
          id: "i-1",
          kind: "resource",
          label: "EC2 instance\nweb & api",
          x1: 20,
          y1: 40,
          x2: 170,
          y2: 88,
          status: "running",
        },
      ],
      [{ x1: 0, y1: 0, x2: 10, y2: 10, label: "3" }],
    );
    expect(svg).toContain(`<g class="box" data-id="${VPC}">`);
    expect(svg).toContain("VPC a&lt;b</text>");
    expect(svg).toContain(">web &amp; api</text>");
    expect(svg).toContain(`data-status="running"`);
    expect(svg).toContain('stroke="#2f9e44"');
  });
});
