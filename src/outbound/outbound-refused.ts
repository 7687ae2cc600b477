import { Refused } from "../errors.js";
import type { Refusal } from "./allow-list.js";

export const OUTBOUND_SETTING =
  "Settings → Outbound allow-list / PUT /api/v1/settings/outbound (switchboard settings outbound set --add …)";

function hostPort({ host, port }: { host: string; port: number }): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * What an interface needs to offer the fix itself (the connection form lets an admin add the
 * entry): the host, the reason, and the allow-list entry that would let the request through
 * (none for an address that is never reachable).
 */
function refusalDetails(refusal: Refusal, allow: string | undefined): Record<string, unknown>[] {
  const { host, port } = refusal.destination;
  return [
    {
      host,
      port,
      reason: refusal.reason,
      ...(refusal.address === undefined ? {} : { address: refusal.address }),
      ...(allow === undefined ? {} : { allow }),
    },
  ];
}

/** The error every refused outbound request fails with: it names the host, the address and the setting. */
export function outboundRefused(refusal: Refusal): Refused {
  const target = hostPort(refusal.destination);
  const { host } = refusal.destination;
  const address = refusal.address ?? host;
  const resolved = address === host ? address : `${host} resolves to ${address}, which`;
  switch (refusal.reason) {
    case "not-listed":
      return new Refused(
        "OUTBOUND_REFUSED",
        `outbound request to ${target} refused: ${host} is not on this org's outbound allow-list; an admin can add it in ${OUTBOUND_SETTING}`,
        // A literal address is allowed with its port only: 127.0.0.1 alone would open every local service.
        { details: refusalDetails(refusal, refusal.address === undefined ? host : target) },
      );
    case "never":
      return new Refused(
        "OUTBOUND_REFUSED",
        `outbound request to ${target} refused: ${resolved} is a link-local or instance-metadata address; Switchboard never sends requests there and no entry in ${OUTBOUND_SETTING} can allow it`,
        { details: refusalDetails(refusal, undefined) },
      );
    case "internal": {
      const entry = hostPort({ host: address, port: refusal.destination.port });
      return new Refused(
        "OUTBOUND_REFUSED",
        `outbound request to ${target} refused: ${resolved} is a loopback or private address; to allow it, an admin can add the address (${entry} or a CIDR range) in ${OUTBOUND_SETTING}`,
        { details: refusalDetails(refusal, entry) },
      );
    }
  }
}
