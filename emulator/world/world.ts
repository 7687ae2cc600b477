import type { Organization } from "./organization.js";
import type { PolicyDocument } from "./world-schema.js";

export type Policy = { name: string; document: PolicyDocument };

export type User = {
  name: string;
  arn: string;
  /** AWS's unique id for the user (AIDA…), shown as UserId and aws:userid. */
  uniqueId: string;
  accountId: string;
  policies: Policy[];
};

export type Role = {
  name: string;
  arn: string;
  /** AWS's unique id for the role (AROA…), the first half of a session's UserId. */
  uniqueId: string;
  accountId: string;
  trust: PolicyDocument;
  policies: Policy[];
  maxSessionDurationSeconds: number;
};

export type OidcProvider = {
  /** Issuer URL as the tokens carry it in `iss`. */
  url: string;
  /** The provider's ARN suffix and condition-key prefix: the URL without its scheme. */
  hostAndPath: string;
  arn: string;
  clientIds: string[];
};

export type ResourceItem = Record<string, unknown>;
/** region (or "global") → service → collection name → items, mutable by write operations. */
export type Resources = Record<string, Record<string, Record<string, unknown>>>;

export type Account = {
  id: string;
  name: string;
  users: Map<string, User>;
  roles: Map<string, Role>;
  oidcProviders: OidcProvider[];
  instanceRole: Role | undefined;
  /** The world's opt-in regions this account has enabled. */
  enabledRegions: string[];
  resources: Resources;
};

export type AccessKey = { id: string; secret: string; user: User };

export type World = {
  /** The regions every account has: AWS's default-enabled ones. */
  regions: string[];
  /** Regions an account has only once it enabled them. */
  optInRegions: string[];
  accounts: Map<string, Account>;
  accessKeys: Map<string, AccessKey>;
  /** The AWS Organization, when the world declares one; changed by the control routes. */
  organization?: Organization | undefined;
};

/** The collection `name` of `service` in `region`, created empty so writes can append to it. */
export function collection(
  account: Account,
  region: string,
  service: string,
  name: string,
): ResourceItem[] {
  const byService = (account.resources[region] ??= {});
  const byName = (byService[service] ??= {});
  const items = byName[name];
  if (Array.isArray(items)) return items as ResourceItem[];
  const created: ResourceItem[] = [];
  byName[name] = created;
  return created;
}

/** How AWS's DescribeRegions words a region's state for an account, or undefined if unknown. */
export type OptInStatus = "opt-in-not-required" | "opted-in" | "not-opted-in";

export function optInStatus(
  world: World,
  account: Account,
  region: string,
): OptInStatus | undefined {
  if (world.regions.includes(region)) return "opt-in-not-required";
  if (!world.optInRegions.includes(region)) return undefined;
  return account.enabledRegions.includes(region) ? "opted-in" : "not-opted-in";
}
