import { BlockList, isIP } from "node:net";
import ipaddr from "ipaddr.js";
import { familyOf, rangeReachesNever } from "./address-class.js";
import { patternProblem } from "./schemas.js";

/**
 * One compiled allow-list pattern.
 * - `wildcard`: `*.example.com` matches every subdomain at any depth
 *   (`sts.us-east-1.amazonaws.com`), never the apex `example.com` itself.
 * - `host`: exactly that name.
 * - `address`: one IP address or a CIDR range; it matches literal-IP destinations and
 *   allows the internal addresses a name resolves to.
 * No port means any port.
 */
export type AllowPattern =
  | { kind: "wildcard"; text: string; suffix: string; port: number | undefined }
  | { kind: "host"; text: string; host: string; port: number | undefined }
  | { kind: "address"; text: string; addresses: BlockList; port: number | undefined };

export class PatternError extends Error {}

function splitPort(pattern: string): { host: string; port: number | undefined } {
  const bracketed = /^\[([^\]]+)\](?::([0-9]+))?$/.exec(pattern);
  if (bracketed !== null) {
    return {
      host: bracketed[1] ?? "",
      port: bracketed[2] === undefined ? undefined : Number(bracketed[2]),
    };
  }
  // A bare IPv6 address or range carries no port (its colons are the address).
  if (isIP(pattern) === 6 || pattern.includes("/")) return { host: pattern, port: undefined };
  const colon = pattern.lastIndexOf(":");
  if (colon === -1) return { host: pattern, port: undefined };
  return { host: pattern.slice(0, colon), port: Number(pattern.slice(colon + 1)) };
}

/** An address as people write it: RFC 5952 for IPv6, dotted IPv4 inside an IPv4-mapped one. */
function formatAddress(address: ipaddr.IPv4 | ipaddr.IPv6): string {
  if (address.kind() === "ipv4") return address.toString();
  const v6 = address as ipaddr.IPv6;
  return v6.isIPv4MappedAddress()
    ? `::ffff:${v6.toIPv4Address().toString()}`
    : v6.toRFC5952String();
}

/**
 * A range is written with its network address (10.0.0.0/8). With host bits set (127.0.0.0/0)
 * it means something much wider than it reads: 127.0.0.0/0 is every IPv4 address. Refused with
 * the form that says what it means.
 */
function checkNetworkAddress(address: string, prefix: number): void {
  const parsed = ipaddr.parse(address);
  const network =
    parsed.kind() === "ipv4"
      ? ipaddr.IPv4.networkAddressFromCIDR(`${address}/${prefix}`)
      : ipaddr.IPv6.networkAddressFromCIDR(`${address}/${prefix}`);
  if (network.toNormalizedString() === parsed.toNormalizedString()) return;
  const canonical = `${formatAddress(network)}/${prefix}`;
  const mapped =
    parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress() && prefix < 96
      ? ` (an IPv4-mapped range counts its prefix from the start of the IPv6 address: ::ffff:10.0.0.0/8 is written ::ffff:10.0.0.0/104)`
      : "";
  throw new PatternError(
    `${address}/${prefix} has host bits set: the range it names is ${canonical}, not what it reads as; write ${canonical} for that range, or ${formatAddress(parsed)} alone for one address${mapped}`,
  );
}

/** Parses one pattern; throws PatternError with what is expected. */
export function parseAllowPattern(text: string): AllowPattern {
  const problem = patternProblem(text);
  if (problem !== undefined) throw new PatternError(problem);
  const { host, port } = splitPort(text);
  if (host.includes("/") || isIP(host) !== 0) {
    const [address = "", prefix] = host.split("/");
    const family = familyOf(address);
    const addresses = new BlockList();
    if (prefix === undefined) addresses.addAddress(address, family);
    else {
      checkNetworkAddress(address, Number(prefix));
      addresses.addSubnet(address, Number(prefix), family);
    }
    // A range that reaches link-local or metadata addresses would be refused at connect time
    // anyway; saying so now is kinder than a list that silently does not do what it says.
    if (rangeReachesNever(addresses, address))
      throw new PatternError(
        `${host} reaches link-local, metadata or unspecified addresses (169.254.0.0/16, fe80::/10, fd00:ec2::254, 0.0.0.0/8, ::), which can never be allowed`,
      );
    return { kind: "address", text, addresses, port };
  }
  const name = host.toLowerCase().replace(/\.$/, "");
  if (name.startsWith("*.")) return { kind: "wildcard", text, suffix: name.slice(1), port };
  return { kind: "host", text, host: name, port };
}

/** The canonical stored form: lower case, no trailing dot on names. */
export function normalizePattern(text: string): string {
  const { host, port } = splitPort(text);
  if (host.includes("/") || isIP(host) !== 0) return text.toLowerCase();
  const name = host.toLowerCase().replace(/\.$/, "");
  return port === undefined ? name : `${name}:${port}`;
}
