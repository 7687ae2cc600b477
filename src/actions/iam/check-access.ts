import { isWildcardOnlyAction, runSimulation } from "@cloud-copilot/iam-simulate";
import { Invalid } from "../../errors.js";
import { accessLevelOf, type AccessLevel } from "./access-level-of.js";
import { canonicalIamAction } from "./iam-data-files.js";
import {
  ACCESS_POLICY_NAMES,
  loadAccessPolicies,
  type ConnectionAccessSetting,
} from "./access-policies.js";

export type AccessDecision =
  { allowed: true } | { allowed: false; action: string; accessLevel: AccessLevel; reason: string };

const ALLOWED: AccessDecision = { allowed: true };

// AWS answers sts:GetCallerIdentity whatever the policies say ("No permissions are required to
// perform this operation", STS API reference), so a session policy cannot refuse it; ViewOnlyAccess
// does not list it, and refusing it here would refuse what AWS allows.
const ALWAYS_AUTHORIZED = new Set(["sts:getcalleridentity"]);

// The question is "does the managed policy allow this action", asked as a role in one account
// holding only that policy, on a resource of the same account.
const ACCOUNT_ID = "000000000000";
const PRINCIPAL = `arn:aws:iam::${ACCOUNT_ID}:role/switchboard-access-check`;

// Decisions depend only on immutable data (iam-data, the managed policy documents), so they are
// cached for the process: a fan-out checks the same few actions before every call. Maps keyed by
// the caller's own strings (no key building) keep a cached check at a few map lookups.
type Scope = {
  decisions: Map<string, AccessDecision>;
  pending: Map<string, Promise<AccessDecision>>;
};
const scopes: Record<"view" | "read", Map<string, Scope>> = { view: new Map(), read: new Map() };
// Callers may pass resource ARNs, so the number of per-resource scopes is bounded.
const MAX_SCOPES = 1_000;

function scopeFor(access: "view" | "read", resource: string): Scope {
  const byResource = scopes[access];
  let scope = byResource.get(resource);
  if (scope === undefined) {
    if (byResource.size >= MAX_SCOPES) byResource.clear();
    scope = { decisions: new Map(), pending: new Map() };
    byResource.set(resource, scope);
  }
  return scope;
}

async function evaluate(
  access: "view" | "read",
  action: string,
  resource: string,
): Promise<AccessDecision> {
  if (ALWAYS_AUTHORIZED.has(action.toLowerCase())) return ALLOWED;
  const [prefix = "", name = "", ...rest] = action.split(":");
  // Fail closed, and say so in words: an action Switchboard cannot evaluate is never sent.
  if (rest.length > 0 || canonicalIamAction(prefix.toLowerCase(), name) === undefined) {
    throw new Invalid(`"${action}" is not an IAM action Switchboard's IAM data knows`, {
      field: "operation",
    });
  }
  const policies = await loadAccessPolicies();
  // iam-simulate insists on "*" for actions that have no resource type.
  const target = (await isWildcardOnlyAction(prefix, name)) ? "*" : resource;
  const result = await runSimulation(
    {
      request: {
        principal: PRINCIPAL,
        action,
        resource: { resource: target, accountId: ACCOUNT_ID },
        contextVariables: {},
      },
      identityPolicies: [{ name: ACCESS_POLICY_NAMES[access], policy: policies[access] }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType === "error") {
    throw new Invalid(
      `cannot check ${action} on ${target} against ${ACCESS_POLICY_NAMES[access]}: ${result.errors.message}`,
      { field: "operation" },
    );
  }
  if (result.overallResult === "Allowed") return ALLOWED;
  const accessLevel = await accessLevelOf(action);
  return {
    allowed: false,
    action,
    accessLevel,
    reason: `${action} (${accessLevel}) is not allowed by the AWS managed policy ${ACCESS_POLICY_NAMES[access]} that the "${access}" access setting applies`,
  };
}

/** Evaluates once per action even when a fan-out asks for it many times concurrently. */
async function decide(
  scope: Scope,
  access: "view" | "read",
  action: string,
  resource: string,
): Promise<AccessDecision> {
  let inFlight = scope.pending.get(action);
  if (inFlight === undefined) {
    inFlight = evaluate(access, action, resource)
      .then((decision) => {
        scope.decisions.set(action, decision);
        return decision;
      })
      .finally(() => scope.pending.delete(action));
    scope.pending.set(action, inFlight);
  }
  return inFlight;
}

/**
 * Whether a connection's access setting allows every IAM action, evaluated with iam-simulate
 * against the real AWS managed policy of the setting (`view` → ViewOnlyAccess, `read` →
 * ReadOnlyAccess; `full` allows all). Refuses with the first action the policy does not allow.
 * Decisions are cached per (setting, action, resource), so a repeated check is a map lookup.
 */
export async function checkAccess(
  access: ConnectionAccessSetting,
  iamActions: readonly string[],
  resource = "*",
): Promise<AccessDecision> {
  if (access === "full") return ALLOWED;
  const scope = scopeFor(access, resource);
  for (const action of iamActions) {
    // The cached path stays synchronous: this runs before every AWS call of a fan-out.
    const decision = scope.decisions.get(action) ?? (await decide(scope, access, action, resource));
    if (!decision.allowed) return decision;
  }
  return ALLOWED;
}
