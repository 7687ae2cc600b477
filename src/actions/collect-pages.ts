/**
 * Follows an SDK paginator to the end (or `maxItems`), concatenating the list fields of every
 * page; the other fields come from the last page, and no pagination token is returned.
 */
export async function collectPages<P extends object>(
  pages: AsyncIterable<P>,
  listKeys: (keyof P & string)[],
  maxItems: number | undefined,
): Promise<Record<string, unknown>> {
  const result: Record<string, unknown> = {};
  const lists: Record<string, unknown[]> = Object.fromEntries(listKeys.map((k) => [k, []]));
  let count = 0;
  let truncated = false;
  for await (const page of pages) {
    for (const [key, value] of Object.entries(page)) {
      if (key === "$metadata" || /token$/i.test(key) || key === "Marker" || key === "NextMarker")
        continue;
      if (key in lists && Array.isArray(value)) lists[key]?.push(...(value as unknown[]));
      else result[key] = value;
    }
    count = Math.max(...Object.values(lists).map((l) => l.length), 0);
    if (maxItems !== undefined && count >= maxItems) {
      truncated = true;
      break;
    }
  }
  for (const [key, list] of Object.entries(lists))
    result[key] = maxItems === undefined ? list : list.slice(0, maxItems);
  if (truncated) result.truncatedAtMaxItems = maxItems;
  return result;
}
