import type {
  AccountState,
  MemberInput,
  OrganizationDocument,
  UnitInput,
} from "./organization-schema.js";
import { newScpState, type ScpState } from "./service-control-policies.js";
import { WorldError } from "./world-error.js";
import type { World } from "./world.js";

export type OrgUnit = { id: string; name: string; arn: string; parentId: string };

export type OrgAccount = {
  id: string;
  name: string;
  email: string;
  arn: string;
  state: AccountState;
  joinedMethod: "INVITED" | "CREATED";
  joinedTimestamp: Date;
  parentId: string;
};

export type Organization = {
  id: string;
  arn: string;
  featureSet: "ALL" | "CONSOLIDATED_BILLING";
  managementAccountId: string;
  managementEmail: string;
  rootId: string;
  rootArn: string;
  /** In creation order, which is the order the List operations answer in. */
  units: Map<string, OrgUnit>;
  accounts: Map<string, OrgAccount>;
  /** Service principal → when trusted access was enabled. */
  trustedServices: Map<string, Date>;
  /** Account id → service principal → when it was registered. */
  delegatedAdministrators: Map<string, Map<string, Date>>;
  /** Service control policies: whether enabled, the policies, and what each is attached to. */
  scp: ScpState;
};

/** The principal CloudFormation StackSets uses for trusted access and delegated administration. */
export const STACKSETS_PRINCIPAL = "member.org.stacksets.cloudformation.amazonaws.com";

// When world accounts joined, for accounts declared in world data: a fixed past date, so that
// answers do not change from one run to the next.
const DECLARED_JOIN_DATE = new Date("2025-01-15T10:00:00Z");

/** Lower-case base-36 characters derived from `seed`, stable across runs (ids must never change). */
function derived(seed: string, length: number): string {
  let h = 2166136261;
  let out = "";
  for (let round = 0; out.length < length; round++) {
    for (const ch of `${round}${seed}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
    out += h.toString(36);
  }
  return out.slice(0, length);
}

/** `ou-<root suffix>-<8 characters>`, from the OU's path of names, as AWS shapes OU ids. */
export function derivedUnitId(org: Pick<Organization, "rootId">, seed: string): string {
  return `ou-${org.rootId.slice(2)}-${derived(seed, 8)}`;
}

export function accountStatus(state: AccountState): "ACTIVE" | "SUSPENDED" | "PENDING_CLOSURE" {
  if (state === "SUSPENDED" || state === "CLOSED") return "SUSPENDED";
  if (state === "PENDING_CLOSURE") return "PENDING_CLOSURE";
  return "ACTIVE";
}

export function unitArn(org: Organization, unitId: string): string {
  return `arn:aws:organizations::${org.managementAccountId}:ou/${org.id}/${unitId}`;
}

export function accountArn(org: Pick<Organization, "id" | "managementAccountId">, id: string) {
  return `arn:aws:organizations::${org.managementAccountId}:account/${org.id}/${id}`;
}

/** The parent ids from the root down to `parentId` (inclusive). */
export function ancestry(org: Organization, parentId: string): string[] {
  const chain: string[] = [];
  let current: string | undefined = parentId;
  while (current !== undefined) {
    chain.unshift(current);
    current = current === org.rootId ? undefined : org.units.get(current)?.parentId;
  }
  return chain;
}

/** AWS's `Paths` of an account: `o-…/r-…/ou-…/…/<account id>/`. */
export function accountPath(org: Organization, account: OrgAccount): string {
  return `${[org.id, ...ancestry(org, account.parentId), account.id].join("/")}/`;
}

/** The OUs under `parentId` (direct children first, then theirs), `parentId` included. */
export function unitAndDescendants(org: Organization, parentId: string): Set<string> {
  const found = new Set([parentId]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const unit of org.units.values())
      if (found.has(unit.parentId) && !found.has(unit.id)) {
        found.add(unit.id);
        grew = true;
      }
  }
  return found;
}

export function isParent(org: Organization, id: string): boolean {
  return id === org.rootId || org.units.has(id);
}

/** Adds a member under `parentId`; the caller has checked that the account exists in the world. */
export function addMember(
  org: Organization,
  world: World,
  member: Exclude<MemberInput, string> | string,
  parentId: string,
  joined: Date,
): OrgAccount {
  const m = typeof member === "string" ? { id: member } : member;
  const name = world.accounts.get(m.id)?.name ?? m.id;
  const account: OrgAccount = {
    id: m.id,
    name,
    email: m.email ?? `aws+${name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}@example.com`,
    arn: accountArn(org, m.id),
    state: m.state ?? "ACTIVE",
    joinedMethod: m.joinedMethod ?? "CREATED",
    joinedTimestamp: joined,
    parentId,
  };
  org.accounts.set(account.id, account);
  return account;
}

/** Builds the organization of a world document; every account it names must be in the world. */
export function buildOrganization(doc: OrganizationDocument, world: World): Organization {
  const base = "organization";
  if (!world.accounts.has(doc.managementAccount))
    throw new WorldError(`${base}.managementAccount`, `unknown account ${doc.managementAccount}`);
  const id = doc.id ?? `o-${derived(`org/${doc.managementAccount}`, 10)}`;
  const rootId = doc.rootId ?? `r-${derived(`root/${id}`, 4)}`;
  const org: Organization = {
    id,
    arn: `arn:aws:organizations::${doc.managementAccount}:organization/${id}`,
    featureSet: doc.featureSet,
    managementAccountId: doc.managementAccount,
    managementEmail: "",
    rootId,
    rootArn: `arn:aws:organizations::${doc.managementAccount}:root/${id}/${rootId}`,
    units: new Map(),
    accounts: new Map(),
    trustedServices: new Map(doc.trustedServices.map((s) => [s, DECLARED_JOIN_DATE])),
    delegatedAdministrators: new Map(),
    scp: newScpState(),
  };
  const addMembers = (members: MemberInput[], parentId: string, path: string): void => {
    members.forEach((member, i) => {
      const accountId = typeof member === "string" ? member : member.id;
      if (!world.accounts.has(accountId))
        throw new WorldError(`${path}[${i}]`, `unknown account ${accountId}`);
      if (org.accounts.has(accountId))
        throw new WorldError(`${path}[${i}]`, `account ${accountId} is listed twice`);
      addMember(org, world, member, parentId, DECLARED_JOIN_DATE);
    });
  };
  const addUnits = (units: UnitInput[], parentId: string, path: string, names: string): void => {
    units.forEach((u, i) => {
      const unitPath = `${path}[${i}]`;
      const unitId = u.id ?? derivedUnitId(org, `${names}/${u.name}`);
      if (org.units.has(unitId))
        throw new WorldError(`${unitPath}.id`, `duplicate organizational unit ${unitId}`);
      const siblings = [...org.units.values()].filter((o) => o.parentId === parentId);
      if (siblings.some((o) => o.name === u.name))
        throw new WorldError(`${unitPath}.name`, `two OUs named ${u.name} under one parent`);
      org.units.set(unitId, { id: unitId, name: u.name, arn: unitArn(org, unitId), parentId });
      addMembers(u.accounts ?? [], unitId, `${unitPath}.accounts`);
      addUnits(u.units ?? [], unitId, `${unitPath}.units`, `${names}/${u.name}`);
    });
  };
  addMembers(doc.accounts, rootId, `${base}.accounts`);
  addUnits(doc.units, rootId, `${base}.units`, "");
  if (!org.accounts.has(doc.managementAccount))
    addMember(
      org,
      world,
      { id: doc.managementAccount, joinedMethod: "INVITED", state: "ACTIVE" },
      rootId,
      DECLARED_JOIN_DATE,
    );
  const management = org.accounts.get(doc.managementAccount);
  if (management !== undefined) {
    if (doc.managementEmail !== undefined) management.email = doc.managementEmail;
    org.managementEmail = management.email;
  }
  doc.delegatedAdministrators.forEach((d, i) => {
    if (!org.accounts.has(d.account) || d.account === doc.managementAccount)
      throw new WorldError(
        `${base}.delegatedAdministrators[${i}].account`,
        `${d.account} is not a member account of the organization`,
      );
    const services = org.delegatedAdministrators.get(d.account) ?? new Map<string, Date>();
    services.set(d.servicePrincipal, DECLARED_JOIN_DATE);
    org.delegatedAdministrators.set(d.account, services);
  });
  return org;
}
