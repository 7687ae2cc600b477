import { Badge, Tooltip } from "@mantine/core";
import type { Access, GrantRole, Method } from "../../api/connections";

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

/** A principal of a grant in words: "team sre", "user alice", "everyone in the org". */
export function principalLabel(principal: string): string {
  if (principal === "org") return "Everyone in the org";
  const [kind, name] = principal.split(":");
  return kind === "team" ? `Team ${name ?? ""}` : `User ${name ?? ""}`;
}
