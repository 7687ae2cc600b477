import { MAX_OUTPUT_BYTES } from "../runs/index.js";

/** Pages followed at most in one call: past this, the output is cut and says so. */
export const MAX_PAGES = 1000;

// Room under the output cap for the fields other than the lists (from the last page), the
// marker, and what redaction adds, so that a cut output is still stored and shown in full.
const RESERVED_BYTES = 64 * 1024;

export type CutReason = "outputCap" | "pageLimit" | "repeatedToken";

/** Set as `truncated` on a collected output that stopped before the paginator's end. */
export interface PagesCut {
  reason: CutReason;
  /** Pages whose items the output holds. */
  pages: number;
  /** Items the output holds, over all its lists. */
  items: number;
  note: string;
}

export interface CollectLimits {
  maxPages: number;
  /** Size cap of the whole output as JSON; the lists stop a little under it. */
  maxBytes: number;
}

function note(reason: CutReason, limits: CollectLimits): string {
  switch (reason) {
    case "outputCap":
      return "the pages joined reached the output size cap; the items after it are left out. Use maxItems or filters";
    case "pageLimit":
      return `stopped after ${String(limits.maxPages)} pages; the items after them are left out. Use maxItems, filters or a larger page size`;
    case "repeatedToken":
      return "the service returned a pagination token it had already returned; stopped rather than loop";
  }
}

function isTokenField(key: string): boolean {
  return /token$/i.test(key) || key === "Marker" || key === "NextMarker";
}

// A page's token fields as one string, "" when it has none.
function tokenSignature(page: object): string {
  const tokens = Object.entries(page).filter(
    ([key, value]) => isTokenField(key) && value !== undefined && value !== null && value !== "",
  );
  return tokens.length === 0 ? "" : JSON.stringify(tokens);
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? "null", "utf8");
}

/**
 * Follows an SDK paginator to the end (or `maxItems`), concatenating the list fields of every
 * page; the other fields come from the last page, and no pagination token is returned.
 * `listKeys` undefined means the arrays of the first page.
 *
 * It never follows more than `maxPages` pages, stops before the lists pass the output cap, and
 * stops when a token comes back again; the first two and a token cycle set `truncated`.
 */
export async function collectPages<P extends object>(
  pages: AsyncIterable<P>,
  listKeys: (keyof P & string)[] | undefined,
  maxItems: number | undefined,
  limits: CollectLimits = { maxPages: MAX_PAGES, maxBytes: MAX_OUTPUT_BYTES },
): Promise<Record<string, unknown>> {
  const result: Record<string, unknown> = {};
  const emptyLists = (keys: string[]): Record<string, unknown[]> =>
    Object.fromEntries(keys.map((k) => [k, []]));
  let lists = listKeys === undefined ? undefined : emptyLists(listKeys);
  const budgetBytes = limits.maxBytes - RESERVED_BYTES;
  const seenTokens = new Set<string>();
  let previousTokens = "";
  let listBytes = 0;
  let pageCount = 0;
  let truncated = false;
  let cut: CutReason | undefined;
  for await (const page of pages) {
    lists ??= emptyLists(
      Object.entries(page)
        .filter(([, v]) => Array.isArray(v))
        .map(([k]) => k),
    );
    if (pageCount >= limits.maxPages) {
      cut = "pageLimit";
      break;
    }
    pageCount += 1;
    for (const [key, value] of Object.entries(page)) {
      if (key === "$metadata" || isTokenField(key)) continue;
      const list = lists[key];
      if (list === undefined || !Array.isArray(value)) {
        result[key] = value;
        continue;
      }
      // Each item is measured once as it arrives, never the joined lists again.
      for (const item of value as unknown[]) {
        const bytes = jsonBytes(item) + 1;
        if (listBytes + bytes > budgetBytes) {
          cut = "outputCap";
          break;
        }
        listBytes += bytes;
        list.push(item);
      }
      if (cut !== undefined) break;
    }
    if (cut !== undefined) break;
    const count = Math.max(...Object.values(lists).map((l) => l.length), 0);
    if (maxItems !== undefined && count >= maxItems) {
      truncated = true;
      break;
    }
    const tokens = tokenSignature(page);
    if (tokens !== "") {
      // The same token twice in a row is how some APIs (CloudWatch Logs) say "no more for now",
      // and the SDK's stopOnSameToken ends there too; a token from further back is a cycle.
      if (seenTokens.has(tokens)) {
        if (tokens !== previousTokens) cut = "repeatedToken";
        break;
      }
      seenTokens.add(tokens);
    }
    previousTokens = tokens;
  }
  let items = 0;
  for (const [key, list] of Object.entries(lists ?? {})) {
    const kept = maxItems === undefined ? list : list.slice(0, maxItems);
    result[key] = kept;
    items += kept.length;
  }
  if (truncated) result.truncatedAtMaxItems = maxItems;
  if (cut !== undefined) {
    const marker: PagesCut = { reason: cut, pages: pageCount, items, note: note(cut, limits) };
    result.truncated = marker;
  }
  return result;
}
