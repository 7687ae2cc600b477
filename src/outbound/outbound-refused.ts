import { Refused } from "../errors.js";
import type { Refusal } from "./allow-list.js";

export const OUTBOUND_SETTING =
  "Settings → Outbound allow-list / PUT /api/v1/settings/outbound (switchboard settings outbound set --add …)";

function hostPort({ host, port }: { host: string; port: number }): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
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
      );
    case "never":
      return new Refused(
        "OUTBOUND_REFUSED",
        `outbound request to ${target} refused: ${resolved} is a link-local or instance-metadata address; Switchboard never sends requests there and no entry in ${OUTBOUND_SETTING} can allow it`,
      );
    case "internal":
      return new Refused(
        "OUTBOUND_REFUSED",
        `outbound request to ${target} refused: ${resolved} is a loopback or private address; to allow it, an admin can add the address (${hostPort({ host: address, port: refusal.destination.port })} or a CIDR range) in ${OUTBOUND_SETTING}`,
      );
  }
}
