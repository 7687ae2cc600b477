import { Badge } from "@mantine/core";

const STATUS_COLOR: Record<string, string> = {
  interrupted: "grape",
  succeeded: "green",
  ok: "green",
  running: "blue",
  partial: "yellow",
  failed: "red",
  refused: "orange",
  skipped: "gray",
  queued: "gray",
  pending: "gray",
  started: "blue",
  waiting: "violet",
  cancelled: "gray",
  unknown: "grape",
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
