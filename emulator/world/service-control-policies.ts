import type { Principal } from "../iam/principal.js";
import type { Organization } from "./organization.js";

/** A service control policy of the organization (AWS managed `FullAWSAccess` or a customer's). */
export type ScpPolicy = {
  id: string;
  arn: string;
  name: string;
  description: string;
  awsManaged: boolean;
  /** The policy document as given (JSON text), returned as `Content`. */
  content: string;
  document: unknown;
};

/** The organization's service control policies: whether the type is enabled, and what is attached. */
export type ScpState = {
  /** EnablePolicyType(SERVICE_CONTROL_POLICY) on the root: until then, SCPs decide nothing. */
  enabled: boolean;
  policies: Map<string, ScpPolicy>;
  /**
   * Root, OU or account id → the ids of the policies attached to it. A target without an entry
   * has `FullAWSAccess` only: AWS attaches it to the root, every OU and every account when SCPs
   * are enabled, and to every OU and account created or joined since.
   */
  attachments: Map<string, string[]>;
  /** Bumped by every change, so that cached authorization decisions follow it. */
  version: number;
};

export const FULL_AWS_ACCESS_ID = "p-FullAWSAccess";

export function newScpState(): ScpState {
  const content = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
  });
  return {
    enabled: false,
    policies: new Map([
      [
        FULL_AWS_ACCESS_ID,
        {
          id: FULL_AWS_ACCESS_ID,
          arn: `arn:aws:organizations::aws:policy/service_control_policy/${FULL_AWS_ACCESS_ID}`,
          name: "FullAWSAccess",
          description: "Allows access to every operation",
          awsManaged: true,
          content,
          document: JSON.parse(content) as unknown,
        },
      ],
    ]),
    attachments: new Map(),
    version: 0,
  };
}

/** The root and OU ids from the root down to `parentId` (organization.ts's ancestry, kept apart to avoid an import cycle). */
function parentsOf(org: Organization, parentId: string): string[] {
  const chain: string[] = [];
  let current: string | undefined = parentId;
  while (current !== undefined) {
    chain.unshift(current);
    current = current === org.rootId ? undefined : org.units.get(current)?.parentId;
  }
  return chain;
}

export function attachedTo(org: Organization, targetId: string): string[] {
  return org.scp.attachments.get(targetId) ?? [FULL_AWS_ACCESS_ID];
}

/** One level of the organization (root, OU, account) with the SCPs attached to it. */
export type ScpLevel = { orgIdentifier: string; policies: { name: string; policy: unknown }[] };

/**
 * The SCPs that apply to `principal`, root first and its account last, or undefined when none
 * do: SCPs are off, the account is not a member, it is the management account (AWS exempts
 * it), or the principal is a service-linked role (AWS exempts those too).
 */
export function scpLevelsFor(
  org: Organization | undefined,
  principal: Principal,
): { levels: ScpLevel[]; key: string } | undefined {
  if (org === undefined || !org.scp.enabled) return undefined;
  const account = org.accounts.get(principal.accountId);
  if (account === undefined || account.id === org.managementAccountId) return undefined;
  if (principal.kind === "assumed-role" && principal.role.arn.includes(":role/aws-service-role/"))
    return undefined;
  const levels = [...parentsOf(org, account.parentId), account.id].map((targetId) => ({
    orgIdentifier: targetId,
    policies: attachedTo(org, targetId).flatMap((id) => {
      const policy = org.scp.policies.get(id);
      return policy === undefined ? [] : [{ name: policy.name, policy: policy.document }];
    }),
  }));
  const key = `${org.scp.version}:${levels.map((l) => l.orgIdentifier).join("/")}`;
  return { levels, key };
}
