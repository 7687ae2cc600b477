import { AllowList, type Destination } from "../outbound/index.js";
import { SwitchboardError } from "../errors.js";
import type { SecretTable } from "./secret.table.js";

/** The hosts bound to a secret's value, as stored; null when its writer bound none. */
export function allowedHostsOf(row: Pick<SecretTable, "allowed_hosts">): string[] | null {
  if (row.allowed_hosts === null) return null;
  const parsed: unknown = JSON.parse(row.allowed_hosts);
  return Array.isArray(parsed) ? parsed.filter((p): p is string => typeof p === "string") : [];
}

/** The stored form of the hosts a writer gave (deduplicated, in their order); null for none. */
export function storedAllowedHosts(allowedHosts: readonly string[] | undefined): string | null {
  return allowedHosts === undefined ? null : JSON.stringify([...new Set(allowedHosts)]);
}

function hostText(destination: Destination): string {
  const host = destination.host.includes(":") ? `[${destination.host}]` : destination.host;
  return `${host}:${destination.port}`;
}

/**
 * Why the secret may not be sent to this destination, or undefined when it may. A secret is sent
 * only where the person who wrote its value said it may go: whoever can name it in an http step
 * (any member of its project) must not be able to send it to a host of their own that echoes it
 * back. Without a destination (a URL known only at run time), only a secret bound to no host at
 * all is refused.
 */
export function secretHostRefusal(
  path: string,
  allowedHosts: readonly string[] | null,
  destination: Destination | undefined,
): SwitchboardError | undefined {
  if (allowedHosts === null || allowedHosts.length === 0) {
    return new SwitchboardError(
      "SECRET_HOST_NOT_ALLOWED",
      `secret ${path} is bound to no host, so no http step may send it${destination === undefined ? "" : ` (to ${hostText(destination)})`}: whoever writes its value sets the hosts it may be sent to (allowedHosts, written with the value)`,
    );
  }
  if (destination === undefined) return undefined;
  if (AllowList.fromStored(allowedHosts).checkDestination(destination) === undefined) return;
  return new SwitchboardError(
    "SECRET_HOST_NOT_ALLOWED",
    `secret ${path} may not be sent to ${hostText(destination)}: its value may go only to ${allowedHosts.join(", ")} (allowedHosts, set by whoever writes the value)`,
  );
}
