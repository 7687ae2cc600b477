import fs from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemo, type Demo } from "../../scripts/demo-stack.js";
import { expectAccessible, SCREENSHOT_DIR, signIn, useBrowser } from "../helpers/browser.js";

// The demo world's management VPC in us-east-1 and the instance in its one subnet.
const VPC = "arn:aws:ec2:us-east-1:111111111111:vpc/vpc-0a1b2c3d4e5f60001";
const INSTANCE = "arn:aws:ec2:us-east-1:111111111111:instance/i-0a1b2c3d4e5f60001";
const SELECTION = {
  connections: ["management", "production", "staging"],
  regions: ["us-east-1", "us-west-2", "eu-central-1", "eu-west-1"],
};
const DIAGRAM = `/inventory/diagram?connections=${SELECTION.connections.join(",")}&regions=${SELECTION.regions.join(",")}`;

/** What the page exposes as `window.__switchboardDiagram` (DiagramPage.tsx), as far as used here. */
interface DiagramGlobal {
  __switchboardDiagram?: {
    layouts: number;
    nodeIds(): string[];
    expand(id: string): void;
    collapse(id: string): void;
    cy: { getElementById(id: string): { data(key: string): unknown; selected(): boolean } };
  };
}

interface DiagramState {
  layouts: number;
  ids: string[];
}

interface Wanted {
  has?: string[];
  lacks?: string[];
  /** A node's kind: "group" (an open box), "collapsed", "aggregate", "resource". */
  kind?: [string, string];
}

/**
 * The diagram's node ids once what is drawn matches `wanted` (the canvas has no DOM). Waiting
 * for the picture rather than for a count of layouts: a late answer (the types' titles) may lay
 * the diagram out once more.
 */
async function diagramWhen(page: Page, wanted: Wanted): Promise<DiagramState> {
  await page.waitForFunction(
    (w: Wanted) => {
      const d = (globalThis as DiagramGlobal).__switchboardDiagram;
      if (d === undefined || d.layouts === 0) return false;
      const ids = new Set(d.nodeIds());
      if (!(w.has ?? []).every((id) => ids.has(id))) return false;
      if ((w.lacks ?? []).some((id) => ids.has(id))) return false;
      return w.kind === undefined || d.cy.getElementById(w.kind[0]).data("kind") === w.kind[1];
    },
    wanted,
    { timeout: 30_000 },
  );
  return page.evaluate(() => {
    const d = (globalThis as DiagramGlobal).__switchboardDiagram;
    if (d === undefined) throw new Error("no diagram");
    return { layouts: d.layouts, ids: d.nodeIds() };
  });
}

describe("web UI: inventory diagram", () => {
  const browser = useBrowser();
  let demo: Demo;
  beforeAll(async () => {
    demo = await startDemo();
    const { id } = await demo.api<{ id: string }>("POST", "/inventory/syncs", SELECTION);
    const deadline = Date.now() + 90_000;
    for (;;) {
      const run = await demo.api<{ status: string }>("GET", `/runs/${id}`);
      if (["succeeded", "partial", "failed", "cancelled"].includes(run.status)) {
        expect(run.status).toBe("succeeded");
        break;
      }
      if (Date.now() > deadline) throw new Error(`the sync is still ${run.status}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });
  afterAll(() => demo.close());

  it("draws the demo world, collapses and expands a VPC, finds a component and exports SVG and PNG", async () => {
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.admin, DIAGRAM);
    await page.getByRole("heading", { name: "Infrastructure diagram" }).waitFor();
    await diagramWhen(page, { has: ["account:111111111111", "account:222222222222"] });

    // Open the management VPC wherever the default level left it, then close it again.
    await page.evaluate((vpc) => {
      const d = (globalThis as DiagramGlobal).__switchboardDiagram;
      d?.expand(vpc);
      d?.expand(`region:111111111111:us-east-1`);
      d?.expand(`account:111111111111`);
    }, VPC);
    const expanded = await diagramWhen(page, { has: [VPC, INSTANCE], kind: [VPC, "group"] });
    expect(expanded.ids).toContain(VPC);
    const inside = expanded.ids.filter((id) => id.includes(":111111111111:") && id !== VPC);
    await page.evaluate(
      (vpc) => (globalThis as DiagramGlobal).__switchboardDiagram?.collapse(vpc),
      VPC,
    );
    const collapsed = await diagramWhen(page, { lacks: [INSTANCE], kind: [VPC, "collapsed"] });
    expect(collapsed.ids).toContain(VPC);
    expect(collapsed.ids.length).toBeLessThan(expanded.ids.length);
    expect(collapsed.ids).not.toContain(INSTANCE);
    expect(
      await page.evaluate(
        (vpc) =>
          (globalThis as DiagramGlobal).__switchboardDiagram?.cy
            .getElementById(vpc)
            .data("kind") as string,
        VPC,
      ),
    ).toBe("collapsed");
    await page.evaluate(
      (vpc) => (globalThis as DiagramGlobal).__switchboardDiagram?.expand(vpc),
      VPC,
    );
    const again = await diagramWhen(page, { has: [INSTANCE], kind: [VPC, "group"] });
    expect(again.ids.length).toBe(expanded.ids.length);
    expect(inside.every((id) => again.ids.includes(id))).toBe(true);
    await expectAccessible(page);

    // Search by the instance's id: the result opens what hides it and selects it.
    await page.evaluate(
      (vpc) => (globalThis as DiagramGlobal).__switchboardDiagram?.collapse(vpc),
      VPC,
    );
    const hidden = await diagramWhen(page, { lacks: [INSTANCE], kind: [VPC, "collapsed"] });
    expect(hidden.ids).not.toContain(INSTANCE);
    await page.getByRole("textbox", { name: "Search" }).fill("i-0a1b2c3d4e5f60001");
    await page.getByRole("listitem").filter({ hasText: "EC2 instance" }).first().click();
    const found = await diagramWhen(page, { has: [INSTANCE] });
    expect(found.ids).toContain(INSTANCE);
    await page.waitForFunction(
      (arn) =>
        (globalThis as DiagramGlobal).__switchboardDiagram?.cy.getElementById(arn).selected() ===
        true,
      INSTANCE,
    );

    // Export SVG: a real download, parsed.
    const downloading = page.waitForEvent("download");
    await page.getByRole("button", { name: "Export SVG" }).click();
    const file = await downloading;
    expect(file.suggestedFilename()).toBe("diagram.svg");
    const svg = fs.readFileSync(await file.path(), "utf8");
    expect(svg.startsWith("<svg")).toBe(true);
    const boxes = [...svg.matchAll(/<g class="box" data-id="([^"]+)"/g)].map((m) => m[1]);
    expect(boxes).toContain(VPC);
    expect(svg).toMatch(
      /<g class="resource" data-id="arn:aws:ec2:us-east-1:111111111111:instance\/i-0a1b2c3d4e5f60001"/,
    );
    expect(svg).toContain(">EC2 instance</text>");

    // Export PNG: Cytoscape's own picture of the whole diagram.
    const picturing = page.waitForEvent("download");
    await page.getByRole("button", { name: "Export PNG" }).click();
    const png = await picturing;
    expect(png.suggestedFilename()).toBe("diagram.png");
    const bytes = fs.readFileSync(await png.path());
    expect(bytes.subarray(1, 4).toString("latin1")).toBe("PNG");
    expect(bytes.length).toBeGreaterThan(10_000);

    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, "inventory-diagram-demo.png") });
  });
  it("opens every box with no two labels or boxes running into each other, and every leaf's text inside its box", async () => {
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.admin, DIAGRAM);
    await diagramWhen(page, { has: ["account:111111111111"] });
    // Open every box, level by level, until nothing more opens.
    for (let round = 0; round < 8; round++) {
      const before = await diagramWhen(page, {});
      await page.evaluate(() => {
        const d = (globalThis as DiagramGlobal).__switchboardDiagram;
        for (const id of d?.nodeIds() ?? []) d?.expand(id);
      });
      await page
        .waitForFunction(
          (layouts) => ((globalThis as DiagramGlobal).__switchboardDiagram?.layouts ?? 0) > layouts,
          before.layouts,
          { timeout: 30_000 },
        )
        .catch(() => undefined);
      const after = await diagramWhen(page, {});
      if (after.ids.length === before.ids.length) break;
    }
    await diagramWhen(page, { has: [VPC, INSTANCE] });
    // What runs into what, measured on Cytoscape's own bounding boxes (the canvas has no DOM).
    const problems = await page.evaluate<string[]>(`(() => {
      const cy = globalThis.__switchboardDiagram.cy;
      const box = (n, labels) => n.boundingBox({ includeLabels: labels, includeOverlays: false });
      const meet = (a, b) => a.x1 < b.x2 - 1 && b.x1 < a.x2 - 1 && a.y1 < b.y2 - 1 && b.y1 < a.y2 - 1;
      const problems = [];
      const byParent = new Map();
      cy.nodes().forEach((n) => {
        const key = n.parent().nonempty() ? n.parent().id() : "";
        if (!byParent.has(key)) byParent.set(key, []);
        byParent.get(key).push(n);
        if (n.isParent()) return;
        const body = box(n, false);
        const text = n.boundingBox({ includeNodes: false, includeEdges: false, includeLabels: true });
        if (text.x1 < body.x1 - 1 || text.x2 > body.x2 + 1)
          problems.push("the text of " + n.id() + " runs past its box");
      });
      for (const siblings of byParent.values())
        for (let i = 0; i < siblings.length; i++)
          for (let j = i + 1; j < siblings.length; j++)
            if (meet(box(siblings[i], true), box(siblings[j], true)))
              problems.push(siblings[i].id() + " runs into " + siblings[j].id());
      return problems;
    })()`);
    expect(problems).toEqual([]);
  });
});
