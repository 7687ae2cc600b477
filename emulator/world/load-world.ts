import { readFile } from "node:fs/promises";
import { validateIdentityPolicy, validateTrustPolicy } from "@cloud-copilot/iam-policy";
import { parse as parseYaml } from "yaml";
import { addRegionEstate, type GeneratedResources } from "../worlds/generate-estate.js";
import { DEFAULT_REGIONS } from "./default-regions.js";
import { managedPolicyDocument, releaseManagedPolicies } from "./managed-policy.js";
import { buildOrganization } from "./organization.js";
import { uniqueId } from "./unique-id.js";
import { WorldError } from "./world-error.js";
import {
  worldSchema,
  type PolicyDocument,
  type WorldDocument,
  type WorldInput,
} from "./world-schema.js";
import type { Account, OidcProvider, Policy, Role, User, World } from "./world.js";

/** Loads a world from a YAML/JSON file path or from an object, refusing any mistake by its path. */
export async function loadWorld(source: string | WorldInput): Promise<World> {
  if (typeof source !== "string") return buildWorld(source);
  const text = await readFile(source, "utf8");
  let parsed: unknown;
  try {
    parsed = source.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new WorldError(
      source,
      `not valid ${source.endsWith(".json") ? "JSON" : "YAML"}: ${String(error)}`,
    );
  }
  return buildWorld(parsed);
}

function formatPath(segments: readonly PropertyKey[]): string {
  let out = "";
  for (const s of segments)
    out += typeof s === "number" ? `[${s}]` : out === "" ? String(s) : `.${String(s)}`;
  return out === "" ? "(root)" : out;
}

export function buildWorld(input: unknown): World {
  try {
    return assembleWorld(input);
  } finally {
    releaseManagedPolicies();
  }
}

function assembleWorld(input: unknown): World {
  const result = worldSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new WorldError(formatPath(issue?.path ?? []), issue?.message ?? "invalid");
  }
  const doc = result.data;
  const world: World = {
    regions: doc.regions ?? [...DEFAULT_REGIONS],
    optInRegions: doc.optInRegions,
    accounts: new Map(),
    accessKeys: new Map(),
  };
  const accountIds = new Set(doc.accounts.map((a) => a.id));
  doc.optInRegions.forEach((region, i) => {
    if (world.regions.includes(region))
      throw new WorldError(`optInRegions[${i}]`, `${region} is already one of the world's regions`);
  });

  doc.accounts.forEach((a, ai) => {
    const base = `accounts[${ai}]`;
    if (world.accounts.has(a.id)) throw new WorldError(`${base}.id`, `duplicate account ${a.id}`);
    const account: Account = {
      id: a.id,
      name: a.name,
      users: new Map(),
      roles: new Map(),
      oidcProviders: a.oidcProviders.map((p): OidcProvider => {
        const url = p.url.replace(/\/$/, "");
        const hostAndPath = url.replace(/^https?:\/\//, "");
        return {
          url,
          hostAndPath,
          arn: `arn:aws:iam::${a.id}:oidc-provider/${hostAndPath}`,
          clientIds: p.clientIds,
        };
      }),
      instanceRole: undefined,
      enabledRegions: a.enabledRegions,
      // Deep copy: writes must not leak into the caller's object or another emulator instance.
      resources: withEstate(a.id, structuredClone(a.resources), a.estate),
    };
    a.users.forEach((u, ui) => {
      const user: User = {
        name: u.name,
        arn: `arn:aws:iam::${a.id}:user/${u.name}`,
        uniqueId: uniqueId("AIDA", `arn:aws:iam::${a.id}:user/${u.name}`),
        accountId: a.id,
        policies: resolvePolicies(u.policies, `${base}.users[${ui}].policies`),
      };
      account.users.set(u.name, user);
      u.accessKeys.forEach((k, ki) => {
        if (world.accessKeys.has(k.id))
          throw new WorldError(
            `${base}.users[${ui}].accessKeys[${ki}].id`,
            `duplicate access key ${k.id}`,
          );
        world.accessKeys.set(k.id, { id: k.id, secret: k.secret, user });
      });
    });
    a.roles.forEach((r, ri) => {
      const path = `${base}.roles[${ri}]`;
      checkPolicy(r.trust, `${path}.trust`, validateTrustPolicy);
      checkTrustPrincipals(r.trust, `${path}.trust`, accountIds, account);
      const role: Role = {
        name: r.name,
        arn: `arn:aws:iam::${a.id}:role/${r.name}`,
        uniqueId: uniqueId("AROA", `arn:aws:iam::${a.id}:role/${r.name}`),
        accountId: a.id,
        trust: r.trust,
        policies: resolvePolicies(r.policies, `${path}.policies`),
        maxSessionDurationSeconds: r.maxSessionDuration,
      };
      account.roles.set(r.name, role);
    });
    if (a.instanceRole !== undefined) {
      account.instanceRole = account.roles.get(a.instanceRole);
      if (account.instanceRole === undefined)
        throw new WorldError(
          `${base}.instanceRole`,
          `no role named ${a.instanceRole} in this account`,
        );
    }
    world.accounts.set(a.id, account);
  });
  doc.accounts.forEach((a, ai) => {
    a.enabledRegions.forEach((region, i) => {
      if (!world.optInRegions.includes(region))
        throw new WorldError(
          `accounts[${ai}].enabledRegions[${i}]`,
          "not one of the world's optInRegions",
        );
    });
    for (const region of Object.keys(a.resources)) {
      if (
        region !== "global" &&
        !world.regions.includes(region) &&
        !world.optInRegions.includes(region)
      )
        throw new WorldError(
          `accounts[${ai}].resources.${region}`,
          "not one of the world's regions",
        );
    }
    for (const region of Object.keys(a.estate))
      if (!world.regions.includes(region) && !world.optInRegions.includes(region))
        throw new WorldError(`accounts[${ai}].estate.${region}`, "not one of the world's regions");
  });
  if (doc.organization !== undefined)
    world.organization = buildOrganization(doc.organization, world);
  return world;
}

// Generated items go after the ones written by hand, collection by collection.
function withEstate(
  accountId: string,
  resources: Account["resources"],
  estate: WorldDocument["accounts"][number]["estate"],
): Account["resources"] {
  for (const [region, spec] of Object.entries(estate)) {
    const generated: GeneratedResources = {};
    addRegionEstate(generated, {
      accountId,
      region,
      ...(typeof spec === "number" ? { count: spec } : spec),
    });
    for (const [scope, services] of Object.entries(generated))
      for (const [service, collections] of Object.entries(services))
        for (const [name, items] of Object.entries(collections)) {
          const byService = (resources[scope] ??= {});
          const byName = (byService[service] ??= {});
          const existing = byName[name];
          byName[name] = Array.isArray(existing) ? [...(existing as unknown[]), ...items] : items;
        }
  }
  return resources;
}

function resolvePolicies(refs: (string | PolicyDocument)[], path: string): Policy[] {
  return refs.map((ref, i) => {
    if (typeof ref === "string") {
      const document = managedPolicyDocument(ref);
      if (document === undefined)
        throw new WorldError(`${path}[${i}]`, `no AWS managed policy ${ref}`);
      return { name: ref, document: document as PolicyDocument };
    }
    checkPolicy(ref, `${path}[${i}]`, validateIdentityPolicy);
    return { name: `${path}[${i}]`, document: ref };
  });
}

function checkPolicy(
  document: PolicyDocument,
  path: string,
  validate: (policy: unknown) => { message: string; path: string }[],
): void {
  const problem = validate(document)[0];
  if (problem !== undefined) throw new WorldError(`${path}.${problem.path}`, problem.message);
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

// A trust policy naming an account or provider the world does not have is almost always a typo
// that would make a test pass or fail for the wrong reason.
function checkTrustPrincipals(
  trust: PolicyDocument,
  path: string,
  accountIds: Set<string>,
  account: Account | { oidcProviders: OidcProvider[] },
): void {
  asArray(trust.Statement).forEach((statement, si) => {
    const principal = (statement as { Principal?: unknown }).Principal;
    if (typeof principal !== "object" || principal === null) return;
    const p = principal as Record<string, unknown>;
    asArray(p.AWS).forEach((value, vi) => {
      if (typeof value !== "string" || value === "*") return;
      const id = /^\d{12}$/.test(value)
        ? value
        : /^arn:aws:(?:iam|sts)::(\d{12}):/.exec(value)?.[1];
      if (id === undefined || !accountIds.has(id))
        throw new WorldError(
          `${path}.Statement[${si}].Principal.AWS[${vi}]`,
          `unknown account in ${value}`,
        );
    });
    asArray(p.Federated).forEach((value, vi) => {
      if (typeof value !== "string" || !value.includes(":oidc-provider/")) return;
      if (!account.oidcProviders.some((o) => o.arn === value))
        throw new WorldError(
          `${path}.Statement[${si}].Principal.Federated[${vi}]`,
          `no OIDC provider ${value} in this account`,
        );
    });
  });
}
