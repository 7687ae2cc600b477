/*
 * The strict 5-field cron that every schedule takes (workflows, scheduled syncs, organizations'
 * reconcile): values, ranges, lists and steps only. cron-parser also reads `H` (a random value,
 * drawn again at each parse, so a scheduler that parses on every pass fires at new times each
 * time), `?`, `L` and `#`: none is needed, and `H` defeats any check on a schedule's interval.
 */
const CRON_FIELDS = [
  { name: "minute", min: 0, max: 59, names: [] },
  { name: "hour", min: 0, max: 23, names: [] },
  { name: "day of month", min: 1, max: 31, names: [] },
  {
    name: "month",
    min: 1,
    max: 12,
    names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
  },
  { name: "day of week", min: 0, max: 7, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] },
] as const;

/** What is wrong with a 5-field cron expression, or undefined when it is valid. */
export function cronProblem(cron: string): string | undefined {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) {
    return `expected 5 cron fields (minute hour day-of-month month day-of-week), got ${fields.length}`;
  }
  for (const [i, field] of fields.entries()) {
    const spec = CRON_FIELDS[i];
    if (spec === undefined) break;
    const value = (text: string): number | undefined => {
      const named = (spec.names as readonly string[]).indexOf(text.toUpperCase());
      if (named >= 0) return named + (spec.name === "month" ? 1 : 0);
      if (!/^\d+$/.test(text)) return undefined;
      const n = Number(text);
      return n >= spec.min && n <= spec.max ? n : undefined;
    };
    for (const part of field.split(",")) {
      const [range = "", step, extra] = part.split("/");
      const stepOk = step === undefined || (/^\d+$/.test(step) && Number(step) > 0);
      const bounds = range === "*" ? [] : range.split("-");
      const rangeOk =
        extra === undefined &&
        bounds.length <= 2 &&
        bounds.every((b) => value(b) !== undefined) &&
        (bounds.length < 2 || (value(bounds[0] ?? "") ?? 0) <= (value(bounds[1] ?? "") ?? 0));
      if (!stepOk || !rangeOk) {
        return `the ${spec.name} field "${field}" is not valid: expected *, a value from ${spec.min} to ${spec.max}, a range a-b, a list a,b or a step */n`;
      }
    }
  }
  return undefined;
}
