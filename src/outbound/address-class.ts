import { BlockList, isIP } from "node:net";

/**
 * - `never`: link-local and instance-metadata addresses, and the unspecified address (which
 *   reaches the local host). No pattern can allow them; only the ambient escape reads metadata.
 * - `internal`: loopback and private ranges, reachable only when a pattern allows them explicitly.
 * - `public`: everything else.
 */
export type AddressClass = "never" | "internal" | "public";

/**
 * Link-local, instance metadata (IPv4 and the Nitro IPv6 endpoint), "this network" and
 * unspecified. `covering`: whether an allow-list range that covers it is refused too. The IPv6
 * metadata address sits inside the unique-local range fc00::/7 that private networks use, so a
 * range around it may be listed; the address itself is still refused at connect time.
 */
const NEVER_RANGES: readonly {
  address: string;
  prefix: number;
  family: "ipv4" | "ipv6";
  covering: boolean;
}[] = [
  { address: "169.254.0.0", prefix: 16, family: "ipv4", covering: true },
  { address: "0.0.0.0", prefix: 8, family: "ipv4", covering: true },
  { address: "fe80::", prefix: 10, family: "ipv6", covering: true },
  { address: "fd00:ec2::254", prefix: 128, family: "ipv6", covering: false },
  { address: "::", prefix: 128, family: "ipv6", covering: true },
];

const NEVER = new BlockList();
for (const { address, prefix, family } of NEVER_RANGES) NEVER.addSubnet(address, prefix, family);

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

/**
 * Whether a range starting at `first` shares an address with a `never` range. Two CIDR ranges
 * overlap exactly when one holds the other's first address; BlockList matches IPv4-mapped IPv6
 * against IPv4 both ways, so `::ffff:0.0.0.0/96` reaches 169.254.169.254 too.
 */
export function rangeReachesNever(range: BlockList, first: string): boolean {
  return (
    classifyAddress(first) === "never" ||
    NEVER_RANGES.some(({ address, family, covering }) => covering && range.check(address, family))
  );
}
