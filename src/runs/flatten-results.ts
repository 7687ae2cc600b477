/**
 * An output's main list (the instances of a describeInstances, the rows of a Logs Insights query)
 * and the table made of every target's list: one row per item, with where it came from. Imports
 * nothing, so the CLI and the web app share it (the web bundle imports this file directly).
 */

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

// Lists that wrap the list people mean: EC2 groups instances in reservations.
const WRAPPED: Readonly<Record<string, string>> = { Reservations: "Instances" };

/** The list an output is about, and the items in it; undefined when it holds no list. */
export function mainList(output: unknown): { name: string; items: unknown[] } | undefined {
  if (Array.isArray(output)) return { name: "items", items: output };
  if (!isObject(output)) return undefined;
  const lists = Object.entries(output).filter((e): e is [string, unknown[]] => Array.isArray(e[1]));
  // A Logs Insights result is its rows; otherwise the first list (describeClusters: clusters,
  // then failures).
  const [name, items] = lists.find(([k]) => k === "rows") ?? lists[0] ?? [];
  if (name === undefined || items === undefined) return undefined;
  const inner = WRAPPED[name];
  if (inner !== undefined && items.every((i) => isObject(i) && Array.isArray(i[inner]))) {
    return { name: inner, items: items.flatMap((i) => (i as Json)[inner] as unknown[]) };
  }
  return { name, items };
}

/** How many items an output's main list holds, or undefined when it has none. */
export function itemCount(output: unknown): number | undefined {
  return mainList(output)?.items.length;
}

/** The cells of one item: nested objects become dotted columns (State.Name), lists stay whole. */
function cellsOf(item: unknown, listName: string): Json {
  if (!isObject(item)) return { [listName]: item };
  const cells: Json = {};
  const walk = (value: Json, prefix: string, depth: number) => {
    for (const [k, v] of Object.entries(value)) {
      const key = prefix === "" ? k : `${prefix}.${k}`;
      if (isObject(v) && depth < 2 && Object.keys(v).length > 0) walk(v, key, depth + 1);
      else cells[key] = v;
    }
  };
  walk(item, "", 0);
  return cells;
}

/** A target's result as far as the table needs it (a run's result, a streamed one). */
export interface SourcedOutput {
  connection: string;
  accountId: string | null;
  region: string;
  output?: unknown;
}

export interface ItemTable {
  /** The list's name in the outputs (Instances, rows, clusterArns). */
  list: string | null;
  /** account, connection, region, the fields that name an item, then the others as first seen. */
  columns: string[];
  rows: Json[];
}

export const SOURCE_COLUMNS = ["account", "connection", "region"] as const;

/** The fields that name an item come first: InstanceId, FunctionName, clusterArn, Name. */
function identifierRank(field: string, listName: string): number {
  const singular = listName
    .replace(/List$/, "")
    .replace(/ies$/, "y")
    .replace(/s$/, "")
    .toLowerCase();
  const order = [`${singular}id`, `${singular}name`, `${singular}arn`, "id", "name", "arn"];
  const at = order.indexOf(field.toLowerCase());
  return at === -1 ? order.length : at;
}

/** Every target's main list in one table; targets without an output add no row. */
export function itemTable(targets: readonly SourcedOutput[]): ItemTable {
  const fields = new Set<string>();
  const rows: Json[] = [];
  let list: string | null = null;
  for (const t of targets) {
    const main = mainList(t.output);
    if (main === undefined) continue;
    list ??= main.name;
    for (const item of main.items) {
      const cells = cellsOf(item, main.name);
      for (const k of Object.keys(cells)) fields.add(k);
      rows.push({ account: t.accountId, connection: t.connection, region: t.region, ...cells });
    }
  }
  for (const c of SOURCE_COLUMNS) fields.delete(c);
  // Sorting is stable: the fields after the identifiers keep the order they were first seen in.
  const named = list ?? "";
  const ordered = [...fields].sort((a, b) => identifierRank(a, named) - identifierRank(b, named));
  return { list, columns: [...SOURCE_COLUMNS, ...ordered], rows };
}

/** A cell as text: AWS tags read key=value, other lists and objects as JSON. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (
    Array.isArray(value) &&
    value.every((t) => isObject(t) && typeof t.Key === "string" && "Value" in t)
  ) {
    return value.map((t) => `${String((t as Json).Key)}=${String((t as Json).Value)}`).join(", ");
  }
  return JSON.stringify(value);
}

// A spreadsheet runs a cell that starts with one of these as a formula (OWASP: CSV injection);
// a leading apostrophe makes it text. Tag values and log lines are anyone's text.
const FORMULA_START = /^[=+\-@\t\r]/;

function csvCell(value: unknown, header = false): string {
  let text = cellText(value);
  // Headers are field names (AWS's, or the fields of the user's own query: @timestamp).
  // Every cell but a number: a tag list or an object becomes text that may start with one too.
  if (!header && typeof value !== "number" && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** RFC 4180 CSV with a header line. */
export function toCsv(columns: readonly string[], rows: readonly Json[]): string {
  const lines = [columns.map((c) => csvCell(c, true)).join(",")];
  for (const row of rows) lines.push(columns.map((c) => csvCell(row[c])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}
