import { Badge, Tooltip } from "@mantine/core";

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

export function timeAgo(iso: string, now = Date.now()): string {
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 60) return relative.format(seconds, "second");
  if (abs < 3600) return relative.format(Math.round(seconds / 60), "minute");
  if (abs < 86_400) return relative.format(Math.round(seconds / 3600), "hour");
  return relative.format(Math.round(seconds / 86_400), "day");
}

/** A time as "3 minutes ago", with the exact time on hover and for machines. */
export function When(props: { iso: string }) {
  const exact = new Date(props.iso).toLocaleString();
  return (
    <Tooltip label={exact}>
      <time dateTime={props.iso}>{timeAgo(props.iso)}</time>
    </Tooltip>
  );
}

const STATUS_COLOR: Record<string, string> = {
  succeeded: "green",
  ok: "green",
  running: "blue",
  partial: "yellow",
  failed: "red",
  refused: "orange",
  skipped: "gray",
};

const STATUS_LABEL: Record<string, string> = { succeeded: "ok" };

/** A run's or a target's status; targets that succeeded read "ok". */
export function StatusBadge(props: { status: string; target?: boolean }) {
  const label = props.target === true ? (STATUS_LABEL[props.status] ?? props.status) : props.status;
  return (
    <Badge size="sm" variant="light" color={STATUS_COLOR[props.status] ?? "gray"}>
      {label}
    </Badge>
  );
}

const LEVEL_COLOR: Record<string, string> = {
  List: "gray",
  Read: "blue",
  Tagging: "yellow",
  Write: "orange",
  "Permissions management": "red",
};

/** The IAM access level of an action or permission (List, Read, Write, …). */
export function AccessLevelBadge(props: { level: string }) {
  return (
    <Badge size="sm" variant="light" color={LEVEL_COLOR[props.level] ?? "grape"} tt="none">
      {props.level}
    </Badge>
  );
}

/** "user:alice" → "alice"; other actors as they are. */
export function actorName(actor: string): string {
  return actor.startsWith("user:") ? actor.slice(5) : actor;
}
