/**
 * A deterministic nested-box layout, as Cloudcraft draws AWS: accounts in rows, an account's
 * regions in a row, in a region its components on a grid above its VPCs, in a VPC
 * its own components above one column per availability zone, in a zone its subnets one under
 * another, in a subnet its components on a grid. Pure (no DOM): it runs in a Web Worker
 * (`layout.worker.ts`). It places the leaves; Cytoscape sizes each compound box around its
 * children with COMPOUND_PADDING, and draws the box's label above it (LABEL_SPACE). A box is at
 * least as wide as its label (`minWidth`, measured by the page), so labels of boxes side by side
 * never run into each other.
 *
 * Chosen by measuring against a general graph layout: it is linear in the visible nodes (5,000
 * in tens of milliseconds), stable (opening a box moves only what follows it) and reads like an
 * architecture diagram, where a force or layered layout scatters boxes by their edges.
 */
// Extensions on relative imports: the model tests compile this module with NodeNext settings too.
import type { GroupKind, NodeKind } from "./graph.js";

export interface LayoutNode {
  id: string;
  parent: string | null;
  kind: NodeKind;
  groupKind?: GroupKind;
  /** A box's least outer width: its label's, which Cytoscape draws on one line above it. */
  minWidth?: number;
}

export interface Point {
  x: number;
  y: number;
}

export interface LayoutResult {
  /** Centres of the leaves (resources, aggregates, collapsed groups); boxes follow them. */
  positions: Record<string, Point>;
  width: number;
  height: number;
}

export const NODE_WIDTH = 150;
export const NODE_HEIGHT = 48;
export const COLLAPSED_WIDTH = 200;
export const COLLAPSED_HEIGHT = 60;
export const GAP = 18;
export const COMPOUND_PADDING = 14;
export const LABEL_SPACE = 22;

interface Block {
  width: number;
  height: number;
  place(x: number, y: number, out: Record<string, Point>): void;
}

export function leafSize(kind: NodeKind): { width: number; height: number } {
  return kind === "collapsed"
    ? { width: COLLAPSED_WIDTH, height: COLLAPSED_HEIGHT }
    : { width: NODE_WIDTH, height: NODE_HEIGHT };
}

function leafBlock(node: LayoutNode): Block {
  const { width, height } = leafSize(node.kind);
  return {
    width,
    height,
    place: (x, y, out) => {
      out[node.id] = { x: x + width / 2, y: y + height / 2 };
    },
  };
}

/** Leaves of one box on a grid a little wider than tall. */
function gridBlock(leaves: Block[]): Block {
  const columns = Math.max(1, Math.ceil(Math.sqrt(leaves.length * 1.6)));
  const cellWidth = Math.max(...leaves.map((b) => b.width));
  const cellHeight = Math.max(...leaves.map((b) => b.height));
  const rows = Math.ceil(leaves.length / columns);
  const used = Math.min(columns, leaves.length);
  return {
    width: used * cellWidth + (used - 1) * GAP,
    height: rows * cellHeight + (rows - 1) * GAP,
    place: (x, y, out) => {
      leaves.forEach((b, i) => {
        const col = i % columns;
        const row = Math.floor(i / columns);
        b.place(
          x + col * (cellWidth + GAP) + (cellWidth - b.width) / 2,
          y + row * (cellHeight + GAP) + (cellHeight - b.height) / 2,
          out,
        );
      });
    },
  };
}

function rowBlock(blocks: Block[]): Block {
  return {
    width: blocks.reduce((w, b) => w + b.width, 0) + GAP * (blocks.length - 1),
    height: Math.max(...blocks.map((b) => b.height)),
    place: (x, y, out) => {
      let cx = x;
      for (const b of blocks) {
        b.place(cx, y, out);
        cx += b.width + GAP;
      }
    },
  };
}

function columnBlock(blocks: Block[]): Block {
  return {
    width: Math.max(...blocks.map((b) => b.width)),
    height: blocks.reduce((h, b) => h + b.height, 0) + GAP * (blocks.length - 1),
    place: (x, y, out) => {
      let cy = y;
      for (const b of blocks) {
        b.place(x, cy, out);
        cy += b.height + GAP;
      }
    },
  };
}

/** Rows of blocks wrapped at the width that brings the whole closest to 16:10. */
function shelfBlock(blocks: Block[]): Block {
  if (blocks.length <= 1) return rowBlock(blocks);
  const wrap = (limit: number): Block => {
    const rows: Block[][] = [[]];
    let width = 0;
    for (const b of blocks) {
      const row = rows[rows.length - 1] ?? [];
      if (row.length > 0 && width + GAP + b.width > limit) {
        rows.push([b]);
        width = b.width;
      } else {
        row.push(b);
        width += (row.length > 1 ? GAP : 0) + b.width;
      }
    }
    return columnBlock(rows.map(rowBlock));
  };
  // Candidate widths: the first k blocks side by side, for k up to 40.
  let best: Block | undefined;
  let bestScore = Infinity;
  let width = -GAP;
  for (const b of blocks.slice(0, 40)) {
    width += GAP + b.width;
    const candidate = wrap(width);
    const score = Math.abs(Math.log(candidate.width / candidate.height / 1.6));
    if (score < bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best ?? wrap(width);
}

/**
 * A compound box: its content inside the padding, its label's space above, and at least as wide
 * as its label, with the content in the middle (Cytoscape widens a box around its centre).
 */
function boxBlock(content: Block, minWidth = 0): Block {
  const width = Math.max(content.width + 2 * COMPOUND_PADDING, minWidth);
  const inset = (width - content.width) / 2;
  return {
    width,
    height: content.height + 2 * COMPOUND_PADDING + LABEL_SPACE,
    place: (x, y, out) => content.place(x + inset, y + LABEL_SPACE + COMPOUND_PADDING, out),
  };
}

export function layoutDiagram(nodes: readonly LayoutNode[]): LayoutResult {
  const children = new Map<string | null, LayoutNode[]>();
  for (const n of nodes) {
    const list = children.get(n.parent);
    if (list === undefined) children.set(n.parent, [n]);
    else list.push(n);
  }
  const blockOf = (node: LayoutNode): Block => {
    const inside = children.get(node.id) ?? [];
    if (node.kind !== "group" || inside.length === 0) return leafBlock(node);
    const leaves = inside.filter((c) => c.kind !== "group").map(leafBlock);
    const boxes = inside.filter((c) => c.kind === "group");
    const parts: Block[] = [];
    if (leaves.length > 0) parts.push(gridBlock(leaves));
    if (boxes.length > 0) {
      const blocks = boxes.map(blockOf);
      switch (node.groupKind) {
        case "account":
          parts.push(rowBlock(blocks));
          break;
        case "vpc": {
          // Zones are columns side by side; a subnet without a zone follows them.
          const zones = boxes.map((b, i) => ({ b, block: blocks[i] as Block }));
          const columns = zones.filter((z) => z.b.groupKind === "zone").map((z) => z.block);
          const rest = zones.filter((z) => z.b.groupKind !== "zone").map((z) => z.block);
          if (columns.length > 0) parts.push(rowBlock(columns));
          if (rest.length > 0) parts.push(shelfBlock(rest));
          break;
        }
        case "zone":
          parts.push(columnBlock(blocks));
          break;
        default:
          parts.push(shelfBlock(blocks));
      }
    }
    return boxBlock(columnBlock(parts), node.minWidth);
  };
  const roots = (children.get(null) ?? []).map(blockOf);
  const positions: Record<string, Point> = {};
  if (roots.length === 0) return { positions, width: 0, height: 0 };
  const whole = shelfBlock(roots);
  whole.place(0, 0, positions);
  return { positions, width: whole.width, height: whole.height };
}
