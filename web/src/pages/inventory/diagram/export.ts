/**
 * The diagram as a file. SVG is written here from the drawn boxes, nodes and edges (the
 * cytoscape-svg extension is GPL-3, which an Apache-2.0 project cannot ship); PNG is Cytoscape's
 * own `cy.png()`.
 */
// Extensions on relative imports: the model tests (test/web/diagram-model.test.ts) compile this
// module with the server's NodeNext settings too.
import type { GroupKind, NodeKind } from "./graph.js";

/** A status's colour, the same on the canvas, in the legend and in an exported file. */
export const STATUS_COLOURS: Record<string, string> = {
  running: "#2f9e44",
  available: "#2f9e44",
  active: "#2f9e44",
  "in-use": "#2f9e44",
  stopped: "#868e96",
  impaired: "#e03131",
  alarm: "#e03131",
  pending: "#f08c00",
  unknown: "#adb5bd",
};

export function statusColour(status: string | undefined): string {
  return STATUS_COLOURS[status ?? "unknown"] ?? "#1c7ed6";
}

export interface ExportNode {
  id: string;
  kind: NodeKind;
  groupKind?: GroupKind;
  label: string;
  /** The node's box on the canvas, without its label. */
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  status?: string;
  /** An account the health ledger marks (unreachable, suspended, blocked regions). */
  marked?: boolean;
}

export interface ExportEdge {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  label?: string;
}

const BOX_COLOURS: Record<GroupKind, { fill: string; stroke: string }> = {
  account: { fill: "#f8f9fa", stroke: "#495057" },
  region: { fill: "#e7f5ff", stroke: "#1c7ed6" },
  vpc: { fill: "#ebfbee", stroke: "#2f9e44" },
  zone: { fill: "#ffffff", stroke: "#868e96" },
  subnet: { fill: "#f3f0ff", stroke: "#7048e8" },
};

export function boxColours(kind: GroupKind | undefined): { fill: string; stroke: string } {
  return BOX_COLOURS[kind ?? "region"];
}

const escapeXml = (text: string) =>
  text.replace(/[<>&"']/g, (c) =>
    c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === "&" ? "&amp;" : c === '"' ? "&quot;" : "&apos;",
  );

const n = (value: number) => Math.round(value * 10) / 10;

/** A standalone SVG document of the diagram: boxes, then edges, then components on top. */
export function diagramSvg(nodes: readonly ExportNode[], edges: readonly ExportEdge[]): string {
  const margin = 30;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const node of nodes) {
    minX = Math.min(minX, node.x1);
    minY = Math.min(minY, node.y1 - (node.kind === "group" ? 20 : 0));
    maxX = Math.max(maxX, node.x2);
    maxY = Math.max(maxY, node.y2);
  }
  if (nodes.length === 0) minX = minY = maxX = maxY = 0;
  const width = maxX - minX + 2 * margin;
  const height = maxY - minY + 2 * margin;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${n(width)}" height="${n(height)}" viewBox="${n(minX - margin)} ${n(minY - margin)} ${n(width)} ${n(height)}" font-family="Helvetica, Arial, sans-serif">`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#868e96"/></marker></defs>`,
    `<rect x="${n(minX - margin)}" y="${n(minY - margin)}" width="${n(width)}" height="${n(height)}" fill="#ffffff"/>`,
  ];
  for (const node of nodes) {
    if (node.kind !== "group") continue;
    const { fill, stroke } = boxColours(node.groupKind);
    const dash = node.groupKind === "zone" ? ` stroke-dasharray="6 4"` : "";
    out.push(
      `<g class="box" data-id="${escapeXml(node.id)}"><rect x="${n(node.x1)}" y="${n(node.y1)}" width="${n(node.x2 - node.x1)}" height="${n(node.y2 - node.y1)}" rx="6" fill="${fill}" stroke="${node.marked === true ? "#e03131" : stroke}" stroke-width="${node.marked === true ? 3 : 1.5}"${dash}/>` +
        `<text x="${n(node.x1 + 4)}" y="${n(node.y1 - 6)}" font-size="13" font-weight="bold" fill="${stroke}">${escapeXml(node.label)}</text></g>`,
    );
  }
  for (const edge of edges) {
    out.push(
      `<line x1="${n(edge.x1)}" y1="${n(edge.y1)}" x2="${n(edge.x2)}" y2="${n(edge.y2)}" stroke="#868e96" stroke-width="1.5" marker-end="url(#arrow)"/>`,
    );
    if (edge.label !== undefined)
      out.push(
        `<text x="${n((edge.x1 + edge.x2) / 2)}" y="${n((edge.y1 + edge.y2) / 2)}" font-size="11" fill="#495057" text-anchor="middle">${escapeXml(edge.label)}</text>`,
      );
  }
  for (const node of nodes) {
    if (node.kind === "group") continue;
    const collapsed = node.kind === "collapsed";
    const { fill, stroke } = collapsed
      ? boxColours(node.groupKind)
      : { fill: "#ffffff", stroke: statusColour(node.status) };
    const lines = node.label.split("\n");
    const cx = (node.x1 + node.x2) / 2;
    const cy = (node.y1 + node.y2) / 2 - ((lines.length - 1) * 14) / 2;
    const text = lines
      .map(
        (line, i) =>
          `<text x="${n(cx)}" y="${n(cy + i * 14 + 4)}" font-size="${i === 0 ? 11 : 12}" text-anchor="middle" fill="#212529"${i === 0 && !collapsed ? ` fill-opacity="0.7"` : ""}>${escapeXml(line)}</text>`,
      )
      .join("");
    out.push(
      `<g class="${collapsed ? "collapsed" : node.kind}" data-id="${escapeXml(node.id)}"${node.status === undefined ? "" : ` data-status="${escapeXml(node.status)}"`}><rect x="${n(node.x1)}" y="${n(node.y1)}" width="${n(node.x2 - node.x1)}" height="${n(node.y2 - node.y1)}" rx="6" fill="${fill}" stroke="${node.marked === true ? "#e03131" : stroke}" stroke-width="${collapsed || node.marked === true ? 2.5 : 2}"${collapsed ? ` stroke-dasharray="5 3"` : ""}/>${text}</g>`,
    );
  }
  out.push("</svg>");
  return out.join("\n");
}
