import { cellText, itemTable, toCsv, type SourcedOutput } from "../runs/index.js";

/** Prints rows as an aligned table for people, or JSON for scripts. */
export function printRows<T extends object>(
  rows: T[],
  columns: { header: string; value: (row: T) => string | null | undefined }[],
  json: boolean,
  out: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): void {
  if (json) {
    out(JSON.stringify(rows, null, 2));
    return;
  }
  if (rows.length === 0) {
    out("(none)");
    return;
  }
  const cells = rows.map((row) => columns.map((c) => c.value(row) ?? "-"));
  for (const line of alignedLines(
    columns.map((c) => c.header.toUpperCase()),
    cells,
  ))
    out(line);
}

/** A header line and one line per row, each column as wide as its widest cell. */
function alignedLines(headers: readonly string[], cells: readonly string[][]): string[] {
  const widths = headers.map((h, i) =>
    Math.max(h.length, ...cells.map((r) => (r[i] ?? "").length)),
  );
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(headers), ...cells.map(line)];
}

export function printJson(
  value: unknown,
  out: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): void {
  out(JSON.stringify(value, null, 2));
}

export const OUTPUT_FORMATS = ["table", "json", "csv"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

// A table cell longer than this is cut: a terminal line is read, not scrolled.
const CELL_WIDTH = 40;

function cut(text: string): string {
  return text.length > CELL_WIDTH ? `${text.slice(0, CELL_WIDTH - 1)}…` : text;
}

/**
 * Every target's main list as one table (account, connection and region first): CSV with every
 * field, or an aligned table of the fields asked (`columns`) or else of those with a plain value.
 */
export function printItems(
  results: readonly SourcedOutput[],
  format: "table" | "csv",
  columns: readonly string[] | undefined,
  out: (text: string) => void = (text) => process.stdout.write(text),
): number {
  const table = itemTable(results);
  const shown =
    columns !== undefined
      ? [
          "account",
          "connection",
          "region",
          ...columns.filter((c) => !table.columns.slice(0, 3).includes(c)),
        ]
      : table.columns.filter(
          (c, i) =>
            i < 3 ||
            table.rows.some((row) => {
              const v = row[c];
              return typeof v === "string" || typeof v === "number" || typeof v === "boolean";
            }),
        );
  if (format === "csv") {
    out(toCsv(columns === undefined ? table.columns : shown, table.rows));
    return table.rows.length;
  }
  if (table.rows.length === 0) out("(no items)\n");
  else {
    const cells = table.rows.map((row) => shown.map((c) => cut(cellText(row[c]))));
    for (const line of alignedLines(shown, cells)) out(`${line}\n`);
  }
  return table.rows.length;
}
