import { validateTrustPolicy } from "@cloud-copilot/iam-policy";
import { AwsError } from "../aws-error.js";
import type { PolicyDocument } from "../world/world-schema.js";
import type { Account, World } from "../world/world.js";
import type { ServiceHandlers } from "./call-context.js";
import { text } from "./input-text.js";

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
// IAM's default quota for a role's trust policy, counted without whitespace.
const TRUST_POLICY_QUOTA = 2048;

function validation(value: string, field: string, constraint: string): AwsError {
  return new AwsError(
    "ValidationError",
    `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: ${constraint}`,
    400,
  );
}

function malformed(message: string): AwsError {
  return new AwsError("MalformedPolicyDocument", message, 400);
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/**
 * IAM refuses a trust policy naming a principal that does not exist (it resolves role and user
 * ARNs to unique ids when the policy is saved), with "Invalid principal in policy".
 */
export function checkPrincipals(world: World, account: Account, document: PolicyDocument): void {
  for (const statement of asArray(document.Statement)) {
    const principal = (statement as { Principal?: unknown }).Principal;
    if (typeof principal !== "object" || principal === null) continue;
    const p = principal as Record<string, unknown>;
    for (const value of asArray(p.AWS)) {
      if (typeof value !== "string" || value === "*") continue;
      const invalid = malformed(`Invalid principal in policy: "AWS":"${value}"`);
      if (/^\d{12}$/.test(value)) {
        if (!world.accounts.has(value)) throw invalid;
        continue;
      }
      const m =
        /^arn:aws:(iam|sts)::(\d{12}):(root|user\/(?:.*\/)?([\w+=,.@-]+)|role\/(?:.*\/)?([\w+=,.@-]+)|assumed-role\/([\w+=,.@-]+)\/[\w+=,.@-]+)$/.exec(
          value,
        );
      const owner = m === null ? undefined : world.accounts.get(m[2] ?? "");
      if (m === null || owner === undefined) throw invalid;
      if (m[4] !== undefined && !owner.users.has(m[4])) throw invalid;
      if (m[5] !== undefined && !owner.roles.has(m[5])) throw invalid;
      if (m[6] !== undefined && !owner.roles.has(m[6])) throw invalid;
    }
    for (const value of asArray(p.Federated)) {
      if (typeof value !== "string" || !value.includes(":oidc-provider/")) continue;
      if (!account.oidcProviders.some((o) => o.arn === value))
        throw malformed(`Invalid principal in policy: "Federated":"${value}"`);
    }
  }
}

export const iamService: ServiceHandlers = {
  /** Replaces a role's trust policy; the caller's account is the role's account, as in IAM. */
  async UpdateAssumeRolePolicy(ctx, input) {
    const roleName = text(input.RoleName);
    const submitted = text(input.PolicyDocument);
    if (!ROLE_NAME.test(roleName))
      throw validation(
        roleName,
        "roleName",
        "Member must satisfy regular expression pattern: [\\w+=,.@-]+",
      );
    if (submitted.length < 1 || submitted.length > 131072)
      throw validation(
        "…",
        "policyDocument",
        "Member must have length less than or equal to 131072 and greater than or equal to 1",
      );
    const role = ctx.account.roles.get(roleName);
    // IAM authorizes before it looks the role up: without the permission, a missing role is denied too.
    await ctx.authorize(
      "iam:UpdateAssumeRolePolicy",
      role?.arn ?? `arn:aws:iam::${ctx.account.id}:role/${roleName}`,
    );
    if (role === undefined)
      throw new AwsError("NoSuchEntity", `The role with name ${roleName} cannot be found.`, 404);
    let document: unknown;
    try {
      document = JSON.parse(submitted);
    } catch {
      throw malformed("This policy contains invalid Json");
    }
    if (typeof document !== "object" || document === null || Array.isArray(document))
      throw malformed("This policy contains invalid Json");
    const problem = validateTrustPolicy(document)[0];
    if (problem !== undefined) throw malformed(`${problem.message} (${problem.path})`);
    const trust = document as PolicyDocument;
    checkPrincipals(ctx.world, ctx.account, trust);
    if (submitted.replace(/\s/g, "").length > TRUST_POLICY_QUOTA)
      throw new AwsError(
        "LimitExceeded",
        `Cannot exceed quota for ACLSizePerRole: ${TRUST_POLICY_QUOTA}`,
        409,
      );
    role.trust = trust;
    ctx.authorizer.clear();
    return {};
  },
};
