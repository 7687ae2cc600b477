/** A string member of an input or world item, or "" when absent or not text. */
export function text(value: unknown): string {
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : "";
}
