import { BlockList, isIP } from "node:net";

/**
 * - `never`: link-local and instance-metadata addresses, and the unspecified address (which
 *   reaches the local host). No pattern can allow them; only the ambient escape reads metadata.
 * - `internal`: loopback and private ranges, reachable only when a pattern allows them explicitly.
 * - `public`: everything else.
 */
export type AddressClass = "never" | "internal" | "public";

const NEVER = new BlockList();
NEVER.addSubnet("169.254.0.0", 16, "ipv4");
NEVER.addSubnet("0.0.0.0", 8, "ipv4");
NEVER.addSubnet("fe80::", 10, "ipv6");
NEVER.addAddress("fd00:ec2::254", "ipv6");
NEVER.addAddress("::", "ipv6");

const INTERNAL = new BlockList();
INTERNAL.addSubnet("10.0.0.0", 8, "ipv4");
INTERNAL.addSubnet("172.16.0.0", 12, "ipv4");
INTERNAL.addSubnet("192.168.0.0", 16, "ipv4");
INTERNAL.addSubnet("127.0.0.0", 8, "ipv4");
INTERNAL.addSubnet("100.64.0.0", 10, "ipv4");
INTERNAL.addAddress("::1", "ipv6");
INTERNAL.addSubnet("fc00::", 7, "ipv6");

export function familyOf(address: string): "ipv4" | "ipv6" {
  const family = isIP(address);
  if (family === 0) throw new TypeError(`${address} is not an IP address`);
  return family === 4 ? "ipv4" : "ipv6";
}

/**
 * Classifies one IP address. BlockList also matches IPv4-mapped IPv6 forms
 * (::ffff:169.254.169.254) against the IPv4 ranges, so they cannot be used to slip past.
 */
export function classifyAddress(address: string): AddressClass {
  const family = familyOf(address);
  if (NEVER.check(address, family)) return "never";
  if (INTERNAL.check(address, family)) return "internal";
  return "public";
}
