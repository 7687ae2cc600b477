import type { ActionContext } from "../actions/index.js";

/** Where a listing runs: the account and region its ARNs are built in. */
export interface ListScope {
  partition: string;
  account: string;
  region: string;
}

/** A relation other than containment, by ARN. */
export interface Edge {
  from: string;
  to: string;
  /** `targets`, `routes-to`, `in-subnet`, `uses-group`, `allows`, `origin`, … */
  kind: string;
}

/** What a listing keeps of one resource: its ARN and containment, nothing else. */
export interface Listed {
  arn: string;
  /** The ARN of what contains it (subnet, VPC, cluster, …); absent or null: the region. */
  parent?: string | null;
  /** A subnet's availability zone (the diagram's AZ box). */
  zone?: string;
}

export interface Listing {
  resources: Listed[];
  edges: Edge[];
}

/** Live attributes of one resource, shown and never stored. */
export interface Attributes {
  name?: string;
  /** The status as the diagram shows it: running, stopped, available, … */
  state?: string;
  details: Record<string, string | number | boolean | null>;
  tags?: Record<string, string>;
  /** Names of the CloudWatch alarms now in ALARM whose dimensions point at it (live view only). */
  alarms?: string[];
}

/** The raw item AWS answered for one resource, with the ARN it was given. */
export interface Item<T> {
  arn: string;
  raw: T;
}

/**
 * One resource type of the inventory: how it is listed (SDK v3 paginated calls; their IAM
 * actions are what a sync needs), its ARN, its parent and its edges, and the attributes shown
 * live. `items` is the one place that calls AWS: a sync keeps only what `listed` and `edges`
 * take from each item, and a live view only what `attributes` picks.
 */
export interface ResourceType<T = unknown> {
  /** `ec2.instance`, `elbv2.target-group`, … */
  type: string;
  title: string;
  /** The SDK v3 client name: the throttling bucket. */
  sdkService: string;
  /** Listed once per account (S3, CloudFront), not once per region. */
  global: boolean;
  /** Every IAM action `items` needs. */
  iamActions: string[];
  items(context: ActionContext, scope: ListScope): Promise<Item<T>[]>;
  parent?(item: T, scope: ListScope): string | null | undefined;
  zone?(item: T): string | undefined;
  edges?(item: Item<T>, scope: ListScope): Edge[];
  attributes(item: T): Attributes;
}

export function defineResourceType<T>(definition: ResourceType<T>): ResourceType {
  return definition;
}

/** AWS's partition of a region: its ARNs start `arn:PARTITION:`. */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

/** An EC2-style ARN: `arn:aws:ec2:REGION:ACCOUNT:KIND/ID`. */
export function ec2Arn(
  scope: ListScope,
  kind: string,
  id: string,
  account = scope.account,
): string {
  return `arn:${scope.partition}:ec2:${scope.region}:${account}:${kind}/${id}`;
}

/** The part after the last `/` (or `:`) of an ARN: the id most describe calls take. */
export function idOfArn(arn: string): string {
  const slash = arn.lastIndexOf("/");
  return slash >= 0 ? arn.slice(slash + 1) : arn.slice(arn.lastIndexOf(":") + 1);
}

/** AWS tags as a record. */
export function tagsOf(
  tags: readonly { Key?: string | undefined; Value?: string | undefined }[] | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.Key !== undefined) out[tag.Key] = tag.Value ?? "";
  return out;
}

/** Attributes with the Name tag as the name and the tags themselves. */
export function tagged(
  tags: readonly { Key?: string | undefined; Value?: string | undefined }[] | undefined,
  rest: Omit<Attributes, "tags" | "name"> & { name?: string | undefined },
): Attributes {
  const all = tagsOf(tags);
  const { name: fallback, ...others } = rest;
  const name = all.Name ?? fallback;
  return { ...others, ...(name === undefined ? {} : { name }), tags: all };
}

/** Drops undefined values (the details of attributes). */
export function details(
  values: Record<string, string | number | boolean | null | undefined | Date>,
): Attributes["details"] {
  const out: Attributes["details"] = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    out[key] = value instanceof Date ? value.toISOString() : value;
  }
  return out;
}

/** Collects every item of an SDK v3 paginator. */
export async function collect<P, I>(
  pages: AsyncIterable<P>,
  pick: (page: P) => readonly I[] | undefined,
): Promise<I[]> {
  const out: I[] = [];
  for await (const page of pages) out.push(...(pick(page) ?? []));
  return out;
}
