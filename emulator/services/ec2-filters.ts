import { AwsError } from "../aws-error.js";
import type { ResourceItem } from "../world/world.js";

export type Ec2Filter = { Name?: string; Values?: string[] };

// Filter names whose field is not simply the PascalCase of the name.
const FIELD_PATHS: Record<string, string[]> = {
  "instance-state-name": ["State", "Name"],
  "instance-state-code": ["State", "Code"],
  "availability-zone": ["AvailabilityZone"],
  "ip-address": ["PublicIpAddress"],
  cidr: ["CidrBlock"],
  state: ["State"],
};

function pathFor(name: string): string[] {
  return (
    FIELD_PATHS[name] ?? [
      name
        .split("-")
        .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
        .join("")
        .replace(/Id$/, "Id"),
    ]
  );
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`);
}

function valueAt(item: ResourceItem, path: string[]): unknown {
  let value: unknown = item;
  for (const key of path)
    value =
      typeof value === "object" && value !== null
        ? (value as Record<string, unknown>)[key]
        : undefined;
  // Instances keep their zone under Placement.
  if (value === undefined && path[0] === "AvailabilityZone")
    return valueAt(item, ["Placement", "AvailabilityZone"]);
  return value;
}

function matches(item: ResourceItem, filter: Ec2Filter): boolean {
  const name = filter.Name ?? "";
  const patterns = (filter.Values ?? []).map(globToRegExp);
  const tags = (item.Tags ?? []) as { Key?: string; Value?: string }[];
  if (name.startsWith("tag:")) {
    const key = name.slice(4);
    return tags.some((t) => t.Key === key && patterns.some((p) => p.test(t.Value ?? "")));
  }
  if (name === "tag-key") return tags.some((t) => patterns.some((p) => p.test(t.Key ?? "")));
  if (name === "tag-value") return tags.some((t) => patterns.some((p) => p.test(t.Value ?? "")));
  const value = valueAt(item, pathFor(name));
  if (value === undefined || value === null) return false;
  const valueText = typeof value === "string" ? value : JSON.stringify(value);
  return patterns.some((p) => p.test(valueText));
}

/** EC2's `Filter.N` semantics: every filter must match, any of a filter's values may. */
export function applyEc2Filters(
  items: ResourceItem[],
  filters: Ec2Filter[] | undefined,
): ResourceItem[] {
  if (filters === undefined || filters.length === 0) return items;
  for (const f of filters)
    if (f.Name === undefined || f.Name === "")
      throw new AwsError("InvalidParameterValue", "The filter 'null' is invalid", 400);
  return items.filter((item) => filters.every((f) => matches(item, f)));
}

// What EC2 calls each id kind in its NotFound errors.
const NOT_FOUND: Record<string, [code: string, noun: string]> = {
  InstanceId: ["InvalidInstanceID.NotFound", "instance ID"],
  VpcId: ["InvalidVpcID.NotFound", "vpc ID"],
  SubnetId: ["InvalidSubnetID.NotFound", "subnet ID"],
  GroupId: ["InvalidGroup.NotFound", "security group"],
};

/** Keeps the items named by an `…Ids` input, refusing ids that do not exist as EC2 does. */
export function selectByIds(
  items: ResourceItem[],
  field: string,
  ids: string[] | undefined,
): ResourceItem[] {
  if (ids === undefined || ids.length === 0) return items;
  const missing = ids.filter((id) => !items.some((item) => item[field] === id));
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
