import type { EmulatorParts } from "./emulator-parts.js";
import type { WireResponse } from "./protocols/wire-response.js";
import { autoDeploy } from "./services/stack-sets.js";
import { buildWorld } from "./world/load-world.js";
import { ACCOUNT_STATES, type AccountState } from "./world/organization-schema.js";
import {
  accountPath,
  accountStatus,
  addMember,
  derivedUnitId,
  isParent,
  unitArn,
  type Organization,
} from "./world/organization.js";
import { WorldError } from "./world/world-error.js";

function json(status: number, value: unknown): WireResponse {
  return {
    status,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(value),
  };
}

function problem(status: number, error: string): WireResponse {
  return json(status, { error });
}

function readBody(body: Buffer): Record<string, unknown> | undefined {
  if (body.length === 0) return {};
  try {
    const value = JSON.parse(body.toString("utf8")) as unknown;
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** `parentId` (a root or OU id) or `parent` (a path of OU names, "Workloads/Prod"); the root if neither. */
function parentOf(org: Organization, body: Record<string, unknown>): string | undefined {
  if (typeof body.parentId === "string")
    return isParent(org, body.parentId) ? body.parentId : undefined;
  if (typeof body.parent !== "string" || body.parent === "" || body.parent === "/")
    return org.rootId;
  let current = org.rootId;
  for (const name of body.parent.split("/").filter((n) => n !== "")) {
    const unit = [...org.units.values()].find((u) => u.parentId === current && u.name === name);
    if (unit === undefined) return undefined;
    current = unit.id;
  }
  return current;
}

function describe(org: Organization, id: string): Record<string, unknown> | undefined {
  const a = org.accounts.get(id);
  if (a === undefined) return undefined;
  return {
    Id: a.id,
    Arn: a.arn,
    Name: a.name,
    Email: a.email,
    State: a.state,
    Status: accountStatus(a.state),
    ParentId: a.parentId,
    Path: accountPath(org, a),
  };
}

/** The tree as one document: what a test or the demo checks it changed. */
function tree(org: Organization): Record<string, unknown> {
  return {
    Id: org.id,
    ManagementAccountId: org.managementAccountId,
    RootId: org.rootId,
    OrganizationalUnits: [...org.units.values()].map((u) => ({
      Id: u.id,
      Name: u.name,
      ParentId: u.parentId,
    })),
    Accounts: [...org.accounts.keys()].map((id) => describe(org, id)),
    TrustedServices: [...org.trustedServices.keys()],
    DelegatedAdministrators: [...org.delegatedAdministrators].map(([account, services]) => ({
      AccountId: account,
      ServicePrincipals: [...services.keys()],
    })),
  };
}

/**
 * Builds a new account of the world from the same fields as a world file's account (its own
 * users, roles, OIDC providers, resources), validated the same way, then adds it to the world.
 */
function createWorldAccount(parts: EmulatorParts, input: Record<string, unknown>): string {
  const { world } = parts;
  const id = String(input.id);
  const fields = Object.fromEntries(
    Object.entries(input).filter(
      ([key]) => !["parent", "parentId", "email", "state", "joinedMethod"].includes(key),
    ),
  );
  // The other accounts are named so that trust policies may name them; only this one is kept.
  const others = [...world.accounts.values()].map((a) => ({ id: a.id, name: a.name }));
  const built = buildWorld({
    regions: world.regions,
    optInRegions: world.optInRegions,
    accounts: [...others, fields],
  });
  const account = built.accounts.get(id);
  if (account === undefined) throw new WorldError("id", "the account was not built");
  for (const [keyId, key] of built.accessKeys) {
    if (key.user.accountId !== id) continue;
    if (world.accessKeys.has(keyId)) throw new WorldError("users", `duplicate access key ${keyId}`);
    world.accessKeys.set(keyId, key);
  }
  world.accounts.set(id, account);
  return id;
}

const ACCOUNT_ROUTE = /^\/_emulator\/organization\/accounts\/(\d{12})(\/move|\/state)?$/;

/**
 * Control routes that change the organization during a test: an account joins (a new account
 * with its own IAM, or a standalone one of the world), moves, leaves or changes state, and an
 * OU is created. Service-managed stack sets with automatic deployment follow at once.
 */
export function organizationRoute(
  parts: EmulatorParts,
  method: string,
  path: string,
  rawBody: Buffer,
): WireResponse | undefined {
  if (!path.startsWith("/_emulator/organization")) return undefined;
  const org = parts.world.organization;
  if (org === undefined) return problem(404, "the world has no organization");
  if (path === "/_emulator/organization" && method === "GET") return json(200, tree(org));
  const body = readBody(rawBody);
  if (body === undefined) return problem(400, "the body must be a JSON object");

  if (path === "/_emulator/organization/units" && method === "POST") {
    const parentId = parentOf(org, body);
    if (typeof body.name !== "string" || body.name === "")
      return problem(400, "name: expected the OU's name");
    if (parentId === undefined) return problem(404, "parent: no such root or OU");
    if ([...org.units.values()].some((u) => u.parentId === parentId && u.name === body.name))
      return problem(409, `name: an OU named ${body.name} already exists under ${parentId}`);
    const id = derivedUnitId(org, `${parentId}/${body.name}/${org.units.size}`);
    org.units.set(id, { id, name: body.name, arn: unitArn(org, id), parentId });
    return json(201, { Id: id, Name: body.name, ParentId: parentId, Arn: unitArn(org, id) });
  }

  if (path === "/_emulator/organization/accounts" && method === "POST") {
    if (typeof body.id !== "string" || !/^\d{12}$/.test(body.id))
      return problem(400, "id: expected a 12-digit account id");
    if (org.accounts.has(body.id))
      return problem(409, `id: account ${body.id} is already in the organization`);
    const parentId = parentOf(org, body);
    if (parentId === undefined) return problem(404, "parent: no such root or OU");
    const state = body.state ?? "ACTIVE";
    if (!ACCOUNT_STATES.includes(state as AccountState))
      return problem(400, `state: expected one of ${ACCOUNT_STATES.join(", ")}`);
    const existed = parts.world.accounts.has(body.id);
    if (!existed) {
      if (typeof body.name !== "string") return problem(400, "name: expected the account's name");
      try {
        createWorldAccount(parts, body);
      } catch (error) {
        if (error instanceof WorldError)
          return problem(400, error.message.replace(/^accounts\[\d+\]\.?/, ""));
        throw error;
      }
    }
    addMember(
      org,
      parts.world,
      {
        id: body.id,
        state: state as AccountState,
        joinedMethod: body.joinedMethod === "INVITED" || existed ? "INVITED" : "CREATED",
        ...(typeof body.email === "string" ? { email: body.email } : {}),
      },
      parentId,
      parts.now(),
    );
    parts.authorizer.clear();
    autoDeploy(parts, body.id);
    return json(201, describe(org, body.id));
  }

  const match = ACCOUNT_ROUTE.exec(path);
  if (match === null) return problem(404, `no control route ${method} ${path}`);
  const id = match[1] ?? "";
  const account = org.accounts.get(id);
  if (account === undefined) return problem(404, `account ${id} is not in the organization`);
  if (match[2] === undefined && method === "DELETE") {
    if (id === org.managementAccountId)
      return problem(409, "the management account cannot leave its organization");
    org.accounts.delete(id);
    org.delegatedAdministrators.delete(id);
    // Its SCPs go with it: an account that joins again starts with FullAWSAccess, as in AWS.
    org.scp.attachments.delete(id);
    autoDeploy(parts, id);
    return { status: 204, headers: {}, body: "" };
  }
  if (match[2] === "/move" && method === "POST") {
    const parentId = parentOf(org, body);
    if (parentId === undefined) return problem(404, "parent: no such root or OU");
    account.parentId = parentId;
    autoDeploy(parts, id);
    return json(200, describe(org, id));
  }
  if (match[2] === "/state" && method === "POST") {
    if (!ACCOUNT_STATES.includes(body.state as AccountState))
      return problem(400, `state: expected one of ${ACCOUNT_STATES.join(", ")}`);
    if (id === org.managementAccountId && body.state !== "ACTIVE")
      return problem(409, "the management account cannot be suspended or closed");
    account.state = body.state as AccountState;
    return json(200, describe(org, id));
  }
  return problem(405, `${method} is not allowed on ${path}`);
}
