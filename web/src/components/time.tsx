import { Text, Tooltip } from "@mantine/core";

const dateTime = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso));
}

/** "3 minutes ago", "in 2 months": how far a moment is from now, in the largest whole unit. */
export function fromNow(iso: string, now = Date.now()): string {
  const seconds = (new Date(iso).getTime() - now) / 1000;
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return "just now";
}

/** How old something is: "3 days", "2 hours". */
export function formatAge(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, (now - new Date(iso).getTime()) / 1000);
  for (const [unit, size] of UNITS) {
    if (seconds >= size) {
      return new Intl.NumberFormat(undefined, { style: "unit", unit, unitDisplay: "long" }).format(
        Math.floor(seconds / size),
      );
    }
  }
  return "under a minute";
}

/** "850 ms", "2.35 s", "3 min 4 s". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/**
 * A moment, as "3 minutes ago" with the date and time in the tooltip, or (`exact`, for logs and
 * records) the date and time with how long ago in the tooltip.
 */
export function When(props: { iso: string | null | undefined; never?: string; exact?: boolean }) {
  if (props.iso === null || props.iso === undefined) {
    return (
      <Text span size="sm" c="dimmed">
        {props.never ?? "never"}
      </Text>
    );
  }
  const [shown, tooltip] =
    props.exact === true
      ? [formatDateTime(props.iso), fromNow(props.iso)]
      : [fromNow(props.iso), formatDateTime(props.iso)];
  return (
    <Tooltip label={tooltip} openDelay={300}>
      <time dateTime={props.iso}>{shown}</time>
    </Tooltip>
  );
}
