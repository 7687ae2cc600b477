import { COLLAPSED_WIDTH, COMPOUND_PADDING, NODE_WIDTH } from "./layout";

/** Cytoscape's own default font family, which the diagram's style keeps. */
const FAMILY = "Helvetica Neue, Helvetica, sans-serif";
/** A box's label: bold 13 px on one line (cy-style.ts), with a little air on each side. */
const GROUP_FONT = `bold 13px ${FAMILY}`;
const GROUP_LABEL_AIR = 16;

let context: CanvasRenderingContext2D | null | undefined;
/** Widths by font and text: a layout measures the same labels again on every open and close. */
const widths = new Map<string, number>();

function measure(text: string, font: string): number {
  const key = `${font}\n${text}`;
  let width = widths.get(key);
  if (width !== undefined) return width;
  context ??= document.createElement("canvas").getContext("2d");
  // No 2D canvas (never in a browser that draws the diagram): a generous guess per character.
  if (context === null) return text.length * 9;
  context.font = font;
  width = context.measureText(text).width;
  if (widths.size > 50_000) widths.clear();
  widths.set(key, width);
  return width;
}

/** The least outer width of a box, so its label does not run past it into the next box. */
export function boxMinWidth(label: string): number {
  return Math.ceil(measure(label, GROUP_FONT)) + GROUP_LABEL_AIR;
}

/** Cytoscape's `min-width` of a compound node counts without its padding. */
export function cyMinWidth(outer: number): number {
  return Math.max(0, outer - 2 * COMPOUND_PADDING);
}

/**
 * A leaf's label as it fits its box: Cytoscape wraps only at spaces, so a word wider than the box
 * (an id such as subnet-5a29a0e8cd004c72e) ran past its border into the next box. Such a word
 * keeps its start and its end around an ellipsis; the whole name is in the side panel and found
 * by search.
 */
export function fitLeafLabel(label: string, kind: "collapsed" | "resource" | "aggregate"): string {
  const [font, room] =
    kind === "collapsed"
      ? [`bold 12px ${FAMILY}`, COLLAPSED_WIDTH - 14]
      : kind === "aggregate"
        ? [`bold 11px ${FAMILY}`, NODE_WIDTH - 12]
        : [`11px ${FAMILY}`, NODE_WIDTH - 12];
  return label
    .split("\n")
    .map((line) =>
      line
        .split(" ")
        .map((word) => (measure(word, font) <= room ? word : shorten(word, font, room)))
        .join(" "),
    )
    .join("\n");
}

/** The longest start…end of `word` that fits `room`. */
function shorten(word: string, font: string, room: number): string {
  let low = 1;
  let high = word.length - 1;
  let best = `${word.slice(0, 1)}…`;
  while (low <= high) {
    const keep = Math.floor((low + high) / 2);
    const head = Math.ceil(keep / 2);
    const candidate = `${word.slice(0, head)}…${word.slice(word.length - (keep - head))}`;
    if (measure(candidate, font) <= room) {
      best = candidate;
      low = keep + 1;
    } else {
      high = keep - 1;
    }
  }
  return best;
}
