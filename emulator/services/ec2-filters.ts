import { AwsError } from "../aws-error.js";
import { documentedEc2FilterNames } from "../model/ec2-filter-names.js";
import type { ResourceItem } from "../world/world.js";

export type Ec2Filter = { Name?: string; Values?: string[] };

/** What a filter may look at besides the item: its owner, and the reservation of an instance. */
export type FilterScope = { operation: string; accountId: string; reservation?: ResourceItem };

type ValuesOf = (item: ResourceItem, scope: FilterScope) => unknown[];

// A documented filter name is read as a path into the item the API returns: each dotted segment
// names a field (kebab-case of the field, or of its plural / `…Set` list), arrays are searched
// element by element. These are the names AWS gives a path of their own.
const at =
  (...paths: string[]): ValuesOf =>
  (item) =>
    paths.flatMap((path) => walk([item], path.split(".")));

const owner: ValuesOf = (item, scope) => [
  scope.reservation?.OwnerId ?? item.OwnerId ?? scope.accountId,
];
// An instance's attached interface belongs to the instance itself.
const ifAttached =
  (values: ValuesOf): ValuesOf =>
  (item, scope) =>
    walk([item], ["NetworkInterfaces"]).length > 0 ? values(item, scope) : [];

const INSTANCE_FILTERS: Record<string, ValuesOf> = {
  affinity: at("Placement.Affinity"),
  "availability-zone": at("Placement.AvailabilityZone"),
  "availability-zone-id": at("Placement.AvailabilityZoneId"),
  "block-device-mapping.attach-time": at("BlockDeviceMappings.Ebs.AttachTime"),
  "block-device-mapping.delete-on-termination": at("BlockDeviceMappings.Ebs.DeleteOnTermination"),
  "block-device-mapping.status": at("BlockDeviceMappings.Ebs.Status"),
  "block-device-mapping.volume-id": at("BlockDeviceMappings.Ebs.VolumeId"),
  "dns-name": at("PublicDnsName"),
  "host-id": at("Placement.HostId"),
  "instance-state-code": at("State.Code"),
  "instance-state-name": at("State.Name"),
  "instance.group-id": at("SecurityGroups.GroupId"),
  "instance.group-name": at("SecurityGroups.GroupName"),
  "ip-address": at("PublicIpAddress"),
  "ipv6-address": at("Ipv6Address", "NetworkInterfaces.Ipv6Addresses.Ipv6Address"),
  "launch-index": at("AmiLaunchIndex"),
  "monitoring-state": at("Monitoring.State"),
  "network-interface.attachment.instance-id": ifAttached(at("InstanceId")),
  "network-interface.attachment.instance-owner-id": ifAttached(owner),
  "network-interface.availability-zone": ifAttached(at("Placement.AvailabilityZone")),
  "network-interface.group-id": at("NetworkInterfaces.Groups.GroupId"),
  "network-interface.group-name": at("NetworkInterfaces.Groups.GroupName"),
  "network-interface.ipv6-address": at("NetworkInterfaces.Ipv6Addresses.Ipv6Address"),
  "network-interface.public-dns-name": at("NetworkInterfaces.Association.PublicDnsName"),
  "network-interface.tag-key": at("NetworkInterfaces.TagSet.Key"),
  "network-interface.tag-value": at("NetworkInterfaces.TagSet.Value"),
  "owner-id": owner,
  "placement-group-name": at("Placement.GroupName"),
  "placement-partition-number": at("Placement.PartitionNumber"),
  "product-code": at("ProductCodes.ProductCodeId"),
  "product-code.type": at("ProductCodes.ProductCodeType"),
  reason: at("StateTransitionReason"),
  "requester-id": (_, scope) => [scope.reservation?.RequesterId],
  "reservation-id": (_, scope) => [scope.reservation?.ReservationId],
  "state-reason-code": at("StateReason.Code"),
  "state-reason-message": at("StateReason.Message"),
  tenancy: at("Placement.Tenancy"),
};

const IP_PERMISSION: Record<string, string> = {
  cidr: "IpRanges.CidrIp",
  "from-port": "FromPort",
  "group-id": "UserIdGroupPairs.GroupId",
  "group-name": "UserIdGroupPairs.GroupName",
  "ipv6-cidr": "Ipv6Ranges.CidrIpv6",
  "prefix-list-id": "PrefixListIds.PrefixListId",
  protocol: "IpProtocol",
  "to-port": "ToPort",
  "user-id": "UserIdGroupPairs.UserId",
};

const SECURITY_GROUP_FILTERS: Record<string, ValuesOf> = Object.fromEntries(
  Object.entries(IP_PERMISSION).flatMap(([name, path]) => [
    [`ip-permission.${name}`, at(`IpPermissions.${path}`)],
    [`egress.ip-permission.${name}`, at(`IpPermissionsEgress.${path}`)],
  ]),
);

const CIDR_ASSOCIATIONS: Record<string, ValuesOf> = {
  "cidr-block-association.state": at("CidrBlockAssociationSet.CidrBlockState.State"),
  "ipv6-cidr-block-association.state": at("Ipv6CidrBlockAssociationSet.Ipv6CidrBlockState.State"),
};

const OPERATION_FILTERS: Record<string, Record<string, ValuesOf>> = {
  DescribeInstances: INSTANCE_FILTERS,
  DescribeSecurityGroups: { ...SECURITY_GROUP_FILTERS, "owner-id": owner },
  DescribeVpcs: { ...CIDR_ASSOCIATIONS, cidr: at("CidrBlock"), "owner-id": owner },
  DescribeSubnets: { ...CIDR_ASSOCIATIONS, "owner-id": owner },
  DescribeVolumes: { status: at("State"), "attachment.status": at("Attachments.State") },
};

function normalized(key: string): string {
  return key.replace(/-/g, "").toLowerCase();
}

function walk(values: unknown[], segments: string[]): unknown[] {
  let current = values;
  for (const segment of segments) {
    const wanted = normalized(segment);
    const names = [wanted, `${wanted}s`, `${wanted}set`];
    current = current.flatMap((value) => {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return [];
      const key = Object.keys(value).find((k) => names.includes(k.toLowerCase()));
      const next = key === undefined ? undefined : (value as Record<string, unknown>)[key];
      return Array.isArray(next) ? (next as unknown[]) : next === undefined ? [] : [next];
    });
  }
  return current;
}

function tagsOf(item: ResourceItem): { Key?: string; Value?: string }[] {
  return (item.Tags ?? item.TagSet ?? []) as { Key?: string; Value?: string }[];
}

function valuesOf(name: string, item: ResourceItem, scope: FilterScope): unknown[] {
  if (name.startsWith("tag:")) {
    const key = name.slice(4);
    return tagsOf(item)
      .filter((t) => t.Key === key)
      .map((t) => t.Value);
  }
  if (name === "tag-key") return tagsOf(item).map((t) => t.Key);
  if (name === "tag-value") return tagsOf(item).map((t) => t.Value);
  const special = OPERATION_FILTERS[scope.operation]?.[name];
  if (special !== undefined) return special(item, scope);
  // An instance's interface lists its addresses as PrivateIpAddresses.
  const path = name.replace(
    /^network-interface\.addresses\./,
    "network-interface.private-ip-addresses.",
  );
  return walk([item], path.split("."));
}

// Filter values are compared with the wire form of a field: booleans and numbers as text,
// timestamps in ISO 8601 with milliseconds as EC2 writes them.
function texts(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (value instanceof Date) return [value.toISOString()];
  if (typeof value === "string") {
    const time = /^\d{4}-\d\d-\d\dT/.test(value) ? new Date(value) : undefined;
    return time !== undefined && !Number.isNaN(time.getTime())
      ? [value, time.toISOString()]
      : [value];
  }
  return typeof value === "number" || typeof value === "boolean" ? [String(value)] : [];
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`, "s");
}

/**
 * Whether AWS documents `name` as a filter of the operation (`tag:<key>` for any key). `tag-value`
 * too: its documentation no longer lists it, but EC2 still accepts it wherever it takes `tag-key`
 * (tools in use call `describe-instances --filters Name=tag-value,…`).
 */
function isDocumented(operation: string, name: string): boolean {
  const documented = documentedEc2FilterNames(operation);
  // Some operations (the IPAM ones, …) document their filters without naming them: nothing to
  // refuse against there.
  if (documented.length === 0) return true;
  if (name.startsWith("tag:") && name.length > 4) return documented.includes("tag:<key>");
  if (name === "tag-value") return documented.includes("tag-key");
  return documented.includes(name);
}

/**
 * EC2's `Filter.N` semantics: every filter must match, any of a filter's values may, with `*` and
 * `?` wildcards. A name AWS does not document for the operation is refused, as EC2 does.
 */
export function applyEc2Filters(
  items: ResourceItem[],
  filters: Ec2Filter[] | undefined,
  scope: FilterScope,
): ResourceItem[] {
  if (filters === undefined || filters.length === 0) return items;
  for (const f of filters)
    if (f.Name === undefined || f.Name === "" || !isDocumented(scope.operation, f.Name))
      throw new AwsError(
        "InvalidParameterValue",
        `The filter '${f.Name === undefined || f.Name === "" ? "null" : f.Name}' is invalid`,
        400,
      );
  const compiled = filters.map((f) => ({
    name: f.Name ?? "",
    patterns: (f.Values ?? []).map(globToRegExp),
  }));
  return items.filter((item) =>
    compiled.every(({ name, patterns }) =>
      valuesOf(name, item, scope)
        .flatMap(texts)
        .some((text) => patterns.some((p) => p.test(text))),
    ),
  );
}

const INSTANCE_ID = /^i-[0-9a-f]+$/;

// What EC2 calls each id kind in its NotFound errors.
const NOT_FOUND: Record<string, [code: string, noun: string]> = {
  InstanceId: ["InvalidInstanceID.NotFound", "instance ID"],
  VpcId: ["InvalidVpcID.NotFound", "vpc ID"],
  SubnetId: ["InvalidSubnetID.NotFound", "subnet ID"],
  GroupId: ["InvalidGroup.NotFound", "security group"],
  RouteTableId: ["InvalidRouteTableID.NotFound", "routeTable ID"],
  InternetGatewayId: ["InvalidInternetGatewayID.NotFound", "internetGateway ID"],
  VolumeId: ["InvalidVolume.NotFound", "volume"],
};

/** Keeps the items named by an `…Ids` input, refusing ids that do not exist as EC2 does. */
export function selectByIds(
  items: ResourceItem[],
  field: string,
  ids: string[] | undefined,
): ResourceItem[] {
  if (ids === undefined || ids.length === 0) return items;
  const missing = ids.filter((id) => !items.some((item) => item[field] === id));
  // EC2 reads each id's format before looking it up. Its ids are i- and 8 or 17 hex digits; the
  // emulator refuses only what is not i- and hex at all ("bogus", an IP address, "$i-0abc"), since
  // tests and worlds name missing instances with other lengths, and checks only the ids the world
  // does not hold.
  const malformed =
    field === "InstanceId" ? missing.find((id) => !INSTANCE_ID.test(id)) : undefined;
  if (malformed !== undefined)
    throw new AwsError("InvalidInstanceID.Malformed", `Invalid id: "${malformed}"`, 400);
  if (missing.length > 0) {
    const [code, noun] = NOT_FOUND[field] ?? ["InvalidParameterValue", field];
    const quoted = missing.map((id) => `'${id}'`).join(", ");
    throw new AwsError(
      code,
      `The ${noun}${missing.length > 1 ? "s" : ""} ${quoted} do${missing.length > 1 ? "" : "es"} not exist`,
      400,
    );
  }
  return items.filter((item) => ids.includes(String(item[field])));
}
