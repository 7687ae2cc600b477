import { z } from "zod";
import { Invalid } from "../errors.js";

export const pageQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50).describe("Items per page, 1 to 500"),
  cursor: z.string().max(500).optional().describe("The nextCursor of the previous page"),
});

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    nextCursor: z
      .string()
      .nullable()
      .describe("Pass as cursor to get the next page; null on the last"),
  });
}

/** Cursors are opaque to clients: the last sort key of a page, base64url-encoded. */
export function encodeCursor(key: string): string {
  return Buffer.from(JSON.stringify({ k: key }), "utf8").toString("base64url");
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (
      typeof parsed === "object" &&
      parsed !== null &&
      "k" in parsed &&
      typeof parsed.k === "string"
    ) {
      return parsed.k;
    }
  } catch {
    // fall through to the error below
  }
  throw new Invalid(
    "cursor is not one this server issued; pass the nextCursor of the previous page",
    {
      field: "cursor",
    },
  );
}

/** Given limit+1 rows, returns a page of `limit` and the cursor after it. */
export function toPage<T>(rows: T[], limit: number, keyOf: (row: T) => string) {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  const nextCursor = rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null;
  return { items, nextCursor };
}
