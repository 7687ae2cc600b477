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
  const widths = columns.map((c, i) =>
    Math.max(c.header.length, ...cells.map((r) => (r[i] ?? "").length)),
  );
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  out(line(columns.map((c) => c.header.toUpperCase())));
  for (const row of cells) out(line(row));
}

export function printJson(
  value: unknown,
  out: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): void {
  out(JSON.stringify(value, null, 2));
}
