import type { ApiClient } from "./api-client.js";

/** Follows `nextCursor` to the end of a paged list. */
export async function fetchAll<T>(api: ApiClient, path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes("?") ? "&" : "?";
    const query: string = `${separator}limit=500${cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`}`;
    const page: { items: T[]; nextCursor: string | null } = await api.request(
      "GET",
      `${path}${query}`,
    );
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return items;
}
