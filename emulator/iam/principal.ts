import type { PolicyDocument } from "../world/world-schema.js";
import type { Role, User } from "../world/world.js";

export type Principal =
  | { kind: "user"; arn: string; accountId: string; userId: string; user: User }
  | {
      kind: "assumed-role";
      arn: string;
      accountId: string;
      userId: string;
      role: Role;
      sessionName: string;
      /** The session policies (inline and ARNs) merged into one document, if any were passed. */
      sessionPolicy: PolicyDocument | undefined;
      /** True when a role session assumed this one: AWS caps such chains at one hour. */
      chained: boolean;
    };

export function identityPolicies(principal: Principal): { name: string; policy: unknown }[] {
  const policies = principal.kind === "user" ? principal.user.policies : principal.role.policies;
  return policies.map((p) => ({ name: p.name, policy: p.document }));
}
