import type cytoscape from "cytoscape";
import { boxColours, STATUS_COLOURS } from "./export";
import type { GroupKind } from "./graph";
import {
  COLLAPSED_HEIGHT,
  COLLAPSED_WIDTH,
  COMPOUND_PADDING,
  NODE_HEIGHT,
  NODE_WIDTH,
} from "./layout";

const KINDS: GroupKind[] = ["account", "region", "vpc", "zone", "subnet"];

/** The diagram's Cytoscape style: boxes by kind, components by live status. */
export function diagramStyle(): cytoscape.StylesheetJson {
  return [
    {
      selector: "node",
      style: {
        shape: "round-rectangle",
        width: NODE_WIDTH,
        height: NODE_HEIGHT,
        "background-color": "#ffffff",
        "border-width": 2,
        "border-color": STATUS_COLOURS.unknown ?? "#adb5bd",
        "border-style": "dashed",
        label: "data(label)",
        "text-wrap": "wrap",
        "text-max-width": `${NODE_WIDTH - 12}px`,
        "text-valign": "center",
        "text-halign": "center",
        "font-size": 11,
        color: "#212529",
        "min-zoomed-font-size": 5,
      },
    },
    ...Object.entries(STATUS_COLOURS).map(([status, colour]): cytoscape.StylesheetStyle => ({
      selector: `node[status = "${status}"]`,
      style: {
        "border-color": colour,
        "border-style": status === "unknown" ? "dashed" : "solid",
        "background-color":
          status === "alarm" || status === "impaired"
            ? "#fff5f5"
            : status === "stopped"
              ? "#f1f3f5"
              : "#ffffff",
      },
    })),
    {
      selector: 'node[kind = "aggregate"]',
      style: { "border-style": "double", "border-width": 4, "font-weight": "bold" },
    },
    {
      selector: 'node[kind = "collapsed"]',
      style: {
        width: COLLAPSED_WIDTH,
        height: COLLAPSED_HEIGHT,
        "border-style": "dashed",
        "border-width": 2.5,
        "font-weight": "bold",
        "font-size": 12,
        "text-max-width": `${COLLAPSED_WIDTH - 14}px`,
      },
    },
    {
      selector: "$node > node",
      style: {
        "text-valign": "top",
        "text-halign": "center",
        "text-max-width": "1000px",
        "text-margin-y": -4,
        "font-size": 13,
        "font-weight": "bold",
        padding: `${COMPOUND_PADDING}px`,
        "border-width": 1.5,
        "border-style": "solid",
      },
    },
    {
      // A box at least as wide as its label (label-fit.ts), which the layout made room for.
      selector: "node[minWidth]",
      style: { "min-width": "data(minWidth)" },
    },
    ...KINDS.flatMap((kind): cytoscape.StylesheetStyle[] => {
      const { fill, stroke } = boxColours(kind);
      return [
        {
          selector: `node[groupKind = "${kind}"]`,
          style: { "background-color": fill, "border-color": stroke, color: "#212529" },
        },
        {
          selector: `$node[groupKind = "${kind}"] > node`,
          style: {
            "background-color": fill,
            "border-color": stroke,
            color: stroke,
            ...(kind === "zone" ? { "border-style": "dashed" } : {}),
          },
        },
      ];
    }),
    {
      selector: "node[?marked]",
      style: { "border-color": "#e03131", "border-width": 3, "border-style": "solid" },
    },
    {
      selector: "node.match",
      style: { "overlay-color": "#fab005", "overlay-opacity": 0.35, "overlay-padding": 6 },
    },
    {
      selector: "node:selected",
      style: { "overlay-color": "#1c7ed6", "overlay-opacity": 0.25, "overlay-padding": 6 },
    },
    {
      selector: "edge",
      style: {
        width: 1.5,
        "line-color": "#868e96",
        "target-arrow-color": "#868e96",
        "target-arrow-shape": "triangle",
        "curve-style": "straight",
        "arrow-scale": 0.9,
        opacity: 0.8,
      },
    },
    {
      selector: "edge[count > 1]",
      style: {
        label: "data(count)",
        "font-size": 10,
        "text-background-color": "#ffffff",
        "text-background-opacity": 1,
        "text-background-padding": "2px",
        width: 2.5,
      },
    },
  ];
}
