import { Badge, Text, Tooltip } from "@mantine/core";
import type { Access, GrantRole, Method } from "./queries";

export const METHODS: Record<Method, { label: string; short: string; summary: string }> = {
  assume_role: {
    label: "Assume a role",
    short: "assume role",
    summary:
      "Switchboard assumes an IAM role in the account with an ExternalId it generates. The usual choice for other accounts.",
  },
  web_identity: {
    label: "Web identity (OIDC)",
    short: "web identity",
    summary:
      "AWS trusts Switchboard's OpenID Connect issuer; no long-lived secret exists anywhere.",
  },
  ambient: {
    label: "Server identity",
    short: "ambient",
    summary:
      "The identity of the machine Switchboard runs on: instance or task role, environment or shared config.",
  },
  access_key: {
    label: "Access key",
    short: "access key",
    summary:
      "A long-lived IAM user key pair; the secret stays in the key store. Prefer a role where you can.",
  },
};

export const METHOD_ORDER: Method[] = ["assume_role", "web_identity", "ambient", "access_key"];

export const ACCESS: Record<Access, { label: string; description: string; color: string }> = {
  view: {
    label: "view",
    description: "AWS managed ViewOnlyAccess: lists and describes, no data reads",
    color: "gray",
  },
  read: {
    label: "read",
    description: "AWS managed ReadOnlyAccess: every read, including data (the default)",
    color: "blue",
  },
  full: {
    label: "full",
    description: "Whatever the identity's own policies allow, writes included",
    color: "orange",
  },
};

export const ROLES: Record<GrantRole, string> = {
  viewer: "sees the connection and its settings",
  editor: "changes its settings and permissions, removes it",
  executor: "runs actions and workflows with it",
};

export function AccessBadge(props: { access: Access }) {
  const a = ACCESS[props.access];
  return (
    <Tooltip label={a.description} openDelay={300}>
      <Badge variant="dot" color={a.color} size="sm" tt="none">
        {a.label}
      </Badge>
    </Tooltip>
  );
}

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

/** "3 minutes ago": how far a moment is from now, in the largest whole unit. */
export function fromNow(iso: string, now = Date.now()): string {
  const seconds = (new Date(iso).getTime() - now) / 1000;
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return "just now";
}

export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso));
}

/** A moment as "3 minutes ago", the exact date and time in the tooltip. */
export function When(props: { iso: string | null | undefined; never?: string }) {
  if (props.iso === null || props.iso === undefined) {
    return (
      <Text span size="sm" c="dimmed">
        {props.never ?? "never"}
      </Text>
    );
  }
  return (
    <Tooltip label={formatDateTime(props.iso)} openDelay={300}>
      <Text span size="sm">
        <time dateTime={props.iso}>{fromNow(props.iso)}</time>
      </Text>
    </Tooltip>
  );
}

/** A principal of a grant in words: "team sre", "user alice", "everyone in the org". */
export function principalLabel(principal: string): string {
  if (principal === "org") return "Everyone in the org";
  const [kind, name] = principal.split(":");
  return kind === "team" ? `Team ${name ?? ""}` : `User ${name ?? ""}`;
}
