// The infrastructure diagram (issue #16) at 5,000 resources, in headless Chromium:
//   diagram-layout  the layout in the Web Worker: the diagram as it opens (collapsed, with
//                   aggregates) and fully expanded; the worker's time and the round trip from the
//                   request to the elements drawn with their positions (goal ≤ 2 s)
//   diagram-frames  frame time while panning and zooming for ~3 s (cy.panBy / cy.zoom every
//                   frame, requestAnimationFrame intervals): median, p95, max (goal ≤ 50 ms)
// The page is the real built UI (dist/web, `npm run build:web`) served by a real server on the
// demo stack; the graph route's answer is a synthetic estate in that route's shape (a sync of
// 5,000 resources is the sync bench's subject, not this one's), and the live attributes route
// answers a status per ARN so the canvas draws coloured components.
import { existsSync, mkdirSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { launchBrowser, newContext, signIn } from "../scripts/browser.js";
import { startDemo } from "../scripts/demo-stack.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const PARTS = new Set((process.env.BENCH_PARTS ?? "diagram-layout,diagram-frames").split(","));
const RESOURCES = Number(process.env.BENCH_DIAGRAM_RESOURCES ?? 5000);
const FRAMES_MS = 3000;
const LAYOUT_GOAL_MS = 2000;
const FRAME_GOAL_MS = 50;

interface Resource {
  arn: string;
  type: string;
  accountId: string;
  region: string;
  connection: string;
  parent: string | null;
  zone: string | null;
  edges: { to: string; kind: string }[];
  firstSeen: string;
  lastSeen: string;
}

/**
 * An estate in the graph route's shape: accounts × 2 regions, each region 2 VPCs of 3 zones
 * (a public and a private subnet each: NAT gateway, instances with their volumes, RDS), VPC-level
 * gateways, route tables, security groups, a load balancer with target groups, Lambda functions,
 * EKS and ElastiCache, and region-level functions, queues, topics, tables, ECS services, buckets,
 * distributions and APIs. Instances grow until `total` is reached; deterministic.
 */
export function syntheticEstate(total: number): Resource[] {
  const out: Resource[] = [];
  const seen = "2026-12-01T00:00:00Z";
  const accounts = ["210000000001", "210000000002", "210000000003", "210000000004"];
  const regions = ["us-east-1", "eu-west-1"];
  // Everything but instances and volumes, then as many instance + volume pairs as fit.
  const fixedPerVpc = 1 + 6 + 1 + 2 + 4 + 1 + 2 + 3 + 1 + 1 + 3 + 3 * 2;
  const fixedPerRegion = 2 * fixedPerVpc + 40 + 10 + 10 + 10 + 5 + 20 + 5 + 2 + 4;
  const instancesPerSubnet = Math.max(
    1,
    Math.floor(
      (total - accounts.length * regions.length * fixedPerRegion) /
        (accounts.length * regions.length * 2 * 6 * 2),
    ),
  );
  let n = 0;
  const add = (
    r: Omit<Resource, "firstSeen" | "lastSeen" | "edges"> & { edges?: Resource["edges"] },
  ) => {
    out.push({ edges: [], ...r, firstSeen: seen, lastSeen: seen });
    return r.arn;
  };
  for (const [a, accountId] of accounts.entries()) {
    const connection = `estate-${a + 1}`;
    for (const region of regions) {
      const ec2 = (kind: string) =>
        `arn:aws:ec2:${region}:${accountId}:${kind}/${kind.slice(0, 3)}-${(n++).toString(16).padStart(12, "0")}`;
      const base = { accountId, region, connection, zone: null };
      const lbs: string[] = [];
      for (let v = 0; v < 2; v++) {
        const vpc = add({ ...base, arn: ec2("vpc"), type: "ec2.vpc", parent: null });
        const sgs = [0, 1, 2, 3].map(() =>
          add({ ...base, arn: ec2("security-group"), type: "ec2.security-group", parent: vpc }),
        );
        add({ ...base, arn: ec2("internet-gateway"), type: "ec2.internet-gateway", parent: vpc });
        const subnets: string[] = [];
        const tgs: string[] = [];
        for (const z of ["a", "b", "c"]) {
          const zone = `${region}${z}`;
          for (const kind of ["public", "private"]) {
            const subnet = add({
              ...base,
              zone,
              arn: ec2("subnet"),
              type: "ec2.subnet",
              parent: vpc,
            });
            subnets.push(subnet);
            if (kind === "public")
              add({ ...base, arn: ec2("natgateway"), type: "ec2.nat-gateway", parent: subnet });
            for (let i = 0; i < instancesPerSubnet; i++) {
              const instance = add({
                ...base,
                arn: ec2("instance"),
                type: "ec2.instance",
                parent: subnet,
                edges: [{ to: sgs[i % 4] ?? vpc, kind: "uses-group" }],
              });
              add({ ...base, arn: ec2("volume"), type: "ec2.volume", parent: instance });
            }
            if (kind === "private")
              add({
                ...base,
                arn: `arn:aws:rds:${region}:${accountId}:db:db-${n++}`,
                type: "rds.instance",
                parent: subnet,
                edges: [{ to: sgs[2] ?? vpc, kind: "uses-group" }],
              });
          }
        }
        for (let t = 0; t < 2; t++) {
          const targets = out
            .filter((r) => r.type === "ec2.instance" && subnets.includes(r.parent ?? ""))
            .slice(t * 10, t * 10 + 10)
            .map((r) => ({ to: r.arn, kind: "targets" }));
          tgs.push(
            add({
              ...base,
              arn: `arn:aws:elasticloadbalancing:${region}:${accountId}:targetgroup/tg-${n++}/0f`,
              type: "elbv2.target-group",
              parent: vpc,
              edges: targets,
            }),
          );
        }
        lbs.push(
          add({
            ...base,
            arn: `arn:aws:elasticloadbalancing:${region}:${accountId}:loadbalancer/app/alb-${n++}/0f`,
            type: "elbv2.load-balancer",
            parent: vpc,
            edges: [
              ...tgs.map((to) => ({ to, kind: "forwards-to" })),
              ...subnets.filter((_, i) => i % 2 === 0).map((to) => ({ to, kind: "in-subnet" })),
            ],
          }),
        );
        for (let r = 0; r < 2; r++)
          add({
            ...base,
            arn: ec2("route-table"),
            type: "ec2.route-table",
            parent: vpc,
            edges: subnets.filter((_, i) => i % 2 === r).map((to) => ({ to, kind: "serves" })),
          });
        for (let f = 0; f < 3; f++)
          add({
            ...base,
            arn: `arn:aws:lambda:${region}:${accountId}:function:vpc-fn-${n++}`,
            type: "lambda.function",
            parent: vpc,
            edges: [{ to: subnets[1] ?? vpc, kind: "in-subnet" }],
          });
        add({
          ...base,
          arn: `arn:aws:eks:${region}:${accountId}:cluster/eks-${n++}`,
          type: "eks.cluster",
          parent: vpc,
        });
        add({
          ...base,
          arn: `arn:aws:elasticache:${region}:${accountId}:cluster:cache-${n++}`,
          type: "elasticache.cluster",
          parent: vpc,
        });
      }
      for (let f = 0; f < 40; f++)
        add({
          ...base,
          arn: `arn:aws:lambda:${region}:${accountId}:function:fn-${n++}`,
          type: "lambda.function",
          parent: null,
        });
      for (let q = 0; q < 10; q++)
        add({
          ...base,
          arn: `arn:aws:sqs:${region}:${accountId}:queue-${n++}`,
          type: "sqs.queue",
          parent: null,
        });
      for (let q = 0; q < 10; q++)
        add({
          ...base,
          arn: `arn:aws:sns:${region}:${accountId}:topic-${n++}`,
          type: "sns.topic",
          parent: null,
        });
      for (let q = 0; q < 10; q++)
        add({
          ...base,
          arn: `arn:aws:dynamodb:${region}:${accountId}:table/table-${n++}`,
          type: "dynamodb.table",
          parent: null,
        });
      for (let c = 0; c < 5; c++) {
        const cluster = add({
          ...base,
          arn: `arn:aws:ecs:${region}:${accountId}:cluster/cluster-${n++}`,
          type: "ecs.cluster",
          parent: null,
        });
        for (let s = 0; s < 4; s++)
          add({
            ...base,
            arn: `arn:aws:ecs:${region}:${accountId}:service/cluster/svc-${n++}`,
            type: "ecs.service",
            parent: cluster,
          });
      }
      for (let b = 0; b < 5; b++)
        add({
          ...base,
          arn: `arn:aws:s3:::bucket-${accountId}-${n++}`,
          type: "s3.bucket",
          parent: null,
        });
      for (let d = 0; d < 2; d++)
        add({
          ...base,
          arn: `arn:aws:cloudfront::${accountId}:distribution/E${n++}`,
          type: "cloudfront.distribution",
          parent: null,
          edges: lbs.map((to) => ({ to, kind: "origin" })),
        });
      for (let p = 0; p < 4; p++)
        add({
          ...base,
          arn: `arn:aws:apigateway:${region}::/restapis/api${n++}`,
          type: "apigateway.rest-api",
          parent: null,
        });
    }
  }
  // Queues until the estate has exactly `total` resources.
  for (let q = 0; out.length < total; q++) {
    const accountId = accounts[q % accounts.length] ?? "";
    add({
      arn: `arn:aws:sqs:us-east-1:${accountId}:extra-${q}`,
      type: "sqs.queue",
      accountId,
      region: "us-east-1",
      connection: `estate-${(q % accounts.length) + 1}`,
      parent: null,
      zone: null,
    });
  }
  return out;
}

const STATUSES = ["running", "running", "running", "available", "stopped", "impaired"];

async function routeSyntheticGraph(page: Page, resources: Resource[]): Promise<void> {
  const accounts = [...new Set(resources.map((r) => r.accountId))].map((accountId) => ({
    accountId,
    connections: [`estate-${accountId.slice(-1)}`],
    health: null,
  }));
  const body = JSON.stringify({
    generatedAt: new Date().toISOString(),
    resources,
    accounts,
    scopes: [],
  });
  await page.route("**/api/v1/inventory/graph", (route) =>
    route.fulfill({ status: 200, contentType: "application/json", body }),
  );
  const types = new Map(resources.map((r) => [r.arn, r.type]));
  await page.route("**/api/v1/inventory/attributes", (route) => {
    const { arns } = JSON.parse(route.request().postData() ?? "{}") as { arns: string[] };
    const lines = arns.map((arn, i) =>
      JSON.stringify({
        arn,
        type: types.get(arn) ?? "",
        attributes: { state: STATUSES[i % STATUSES.length], details: {}, tags: {} },
      }),
    );
    return route.fulfill({
      status: 200,
      contentType: "application/x-ndjson",
      body: `${lines.join("\n")}\n`,
    });
  });
}

interface Handle {
  __switchboardDiagram?: {
    layouts: number;
    lastLayoutMs: number;
    lastRoundTripMs: number;
    nodeIds(): string[];
  };
}

async function layoutsAfter(page: Page, count: number) {
  await page.waitForFunction(
    (n) => ((globalThis as Handle).__switchboardDiagram?.layouts ?? 0) >= n,
    count,
    {
      timeout: 120_000,
    },
  );
  return page.evaluate(() => {
    const d = (globalThis as Handle).__switchboardDiagram;
    if (d === undefined) throw new Error("no diagram");
    return {
      layouts: d.layouts,
      workerMs: d.lastLayoutMs,
      roundTripMs: d.lastRoundTripMs,
      nodes: d.nodeIds().length,
    };
  });
}

// Pans and zooms every frame for the given time; the intervals between animation frames. Plain
// JavaScript text: tsx's helpers (__name) do not exist in the page.
const FRAMES_SCRIPT = `(durationMs, move) => new Promise((resolve) => {
  const cy = window.__switchboardDiagram.cy;
  const start = cy.zoom();
  const intervals = [];
  let last = performance.now();
  const began = last;
  let i = 0;
  const step = (now) => {
    intervals.push(now - last);
    last = now;
    i++;
    if (move) cy.panBy({ x: Math.sin(i / 10) * 12, y: Math.cos(i / 13) * 9 });
    if (move) cy.zoom({ level: start * (1 + 0.5 * Math.sin(i / 25)), renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
    if (now - began < durationMs) requestAnimationFrame(step);
    else {
      intervals.shift();
      intervals.sort((a, b) => a - b);
      const at = (p) => intervals[Math.min(intervals.length - 1, Math.floor((p / 100) * intervals.length))];
      resolve({ median: at(50), p95: at(95), max: intervals[intervals.length - 1], count: intervals.length });
    }
  };
  requestAnimationFrame(step);
})`;

interface Frames {
  median: number;
  p95: number;
  max: number;
  count: number;
}

// The same intervals recorded while a person pans (drag) and zooms (wheel) with the mouse:
// Cytoscape then moves a picture of the canvas (textureOnViewport) instead of redrawing it.
const RECORD_SCRIPT = `(() => {
  const state = { intervals: [], running: true };
  window.__frameRecorder = state;
  let last = performance.now();
  const step = (now) => {
    state.intervals.push(now - last);
    last = now;
    if (state.running) requestAnimationFrame(step);
  };
  requestAnimationFrame(step);
})()`;
const STOP_SCRIPT = `(() => {
  const state = window.__frameRecorder;
  state.running = false;
  const intervals = state.intervals.slice(1).sort((a, b) => a - b);
  const at = (p) => intervals[Math.min(intervals.length - 1, Math.floor((p / 100) * intervals.length))];
  return { median: at(50), p95: at(95), max: intervals[intervals.length - 1], count: intervals.length };
})()`;

async function gestureFrames(page: Page): Promise<Frames> {
  const box = await page.getByTestId("diagram-canvas").boundingBox();
  if (box === null) throw new Error("no canvas");
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  // Drags that start on a component would move (and pin) it: here every drag pans.
  await page.evaluate("window.__switchboardDiagram.cy.autoungrabify(true)");
  await page.evaluate(RECORD_SCRIPT);
  const began = Date.now();
  for (let round = 0; Date.now() - began < FRAMES_MS; round++) {
    await page.mouse.move(x, y);
    await page.mouse.down();
    for (let i = 1; i <= 20; i++)
      await page.mouse.move(x + Math.sin(i / 3) * 120, y + Math.cos(i / 4) * 80);
    await page.mouse.up();
    for (let i = 0; i < 10; i++) await page.mouse.wheel(0, round % 2 === 0 ? -60 : 60);
  }
  const result = await page.evaluate<Frames>(STOP_SCRIPT);
  await page.evaluate("window.__switchboardDiagram.cy.autoungrabify(false)");
  return result;
}

/** Frame intervals while panning and zooming, and, for scale, on the same page left alone. */
async function frames(page: Page): Promise<{ moving: Frames; gestures: Frames; still: Frames }> {
  const still = await page.evaluate<Frames>(`(${FRAMES_SCRIPT})(1000, false)`);
  const moving = await page.evaluate<Frames>(`(${FRAMES_SCRIPT})(${FRAMES_MS}, true)`);
  const gestures = await gestureFrames(page);
  return { moving, gestures, still };
}

function printFrames(f: { moving: Frames; gestures: Frames; still: Frames }): void {
  process.stdout.write(
    `  cy.panBy and cy.zoom every frame ${FRAMES_MS / 1000} s, ${f.moving.count} frames: median ${ms(f.moving.median)}, p95 ${ms(f.moving.p95)}, max ${ms(f.moving.max)} (goal ≤ ${FRAME_GOAL_MS} ms at p95: ${verdict(f.moving.p95 <= FRAME_GOAL_MS)})\n` +
      `  mouse drag and wheel ${FRAMES_MS / 1000} s, ${f.gestures.count} frames: median ${ms(f.gestures.median)}, p95 ${ms(f.gestures.p95)}, max ${ms(f.gestures.max)} (goal ≤ ${FRAME_GOAL_MS} ms at p95: ${verdict(f.gestures.p95 <= FRAME_GOAL_MS)})\n` +
      `  for scale, the same page still for 1 s: median ${ms(f.still.median)}, p95 ${ms(f.still.p95)}, max ${ms(f.still.max)}; load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")}\n`,
  );
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const verdict = (ok: boolean) => (ok ? "met" : "MISSED");

export async function run(): Promise<void> {
  if (!PARTS.has("diagram-layout") && !PARTS.has("diagram-frames")) return;
  if (!existsSync(join(ROOT, "dist/web/index.html")))
    throw new Error("the built UI is missing: run `npm run build:web` first");
  const resources = syntheticEstate(RESOURCES);
  const demo = await startDemo();
  const browser = await launchBrowser();
  try {
    const context = await newContext(browser, { viewport: { width: 1600, height: 1000 } });
    const page = await context.newPage();
    await routeSyntheticGraph(page, resources);
    await signIn(page, demo.url, demo.admin, "/inventory/diagram?connections=*");
    const opened = await layoutsAfter(page, 1);
    process.stdout.write(
      `synthetic estate: ${resources.length} resources\n` +
        `opened (collapsed, aggregates): ${opened.nodes} nodes drawn\n`,
    );
    if (PARTS.has("diagram-layout"))
      process.stdout.write(
        `  layout in the worker ${ms(opened.workerMs)}; request to drawn ${ms(opened.roundTripMs)} (goal ≤ ${LAYOUT_GOAL_MS} ms: ${verdict(opened.roundTripMs <= LAYOUT_GOAL_MS)})\n`,
      );
    await page.waitForTimeout(500);
    if (process.env.BENCH_SCREENSHOTS !== undefined) {
      mkdirSync(process.env.BENCH_SCREENSHOTS, { recursive: true });
      await page.screenshot({
        path: join(process.env.BENCH_SCREENSHOTS, "diagram-5000-opened.png"),
      });
    }
    if (PARTS.has("diagram-frames")) printFrames(await frames(page));

    await page.getByRole("button", { name: "Expand all" }).click();
    const expanded = await layoutsAfter(page, opened.layouts + 1);
    process.stdout.write(`fully expanded: ${expanded.nodes} nodes drawn\n`);
    if (PARTS.has("diagram-layout"))
      process.stdout.write(
        `  layout in the worker ${ms(expanded.workerMs)}; request to drawn ${ms(expanded.roundTripMs)} (goal ≤ ${LAYOUT_GOAL_MS} ms: ${verdict(expanded.roundTripMs <= LAYOUT_GOAL_MS)})\n`,
      );
    await page.waitForTimeout(500);
    if (process.env.BENCH_SCREENSHOTS !== undefined)
      await page.screenshot({
        path: join(process.env.BENCH_SCREENSHOTS, "diagram-5000-expanded.png"),
      });
    if (PARTS.has("diagram-frames")) printFrames(await frames(page));
  } finally {
    await browser.close();
    await demo.close();
  }
}
