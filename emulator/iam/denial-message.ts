import type { Decision } from "./authorizer.js";

/** AWS's wording for a refused call, e.g. "User: arn:… is not authorized to perform: …". */
export function denialMessage(
  principalArn: string,
  action: string,
  resource: string,
  decision: Exclude<Decision, { allowed: true }>,
): string {
  const head = `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource}`;
  switch (decision.because) {
    case "explicit-deny":
      return `${head} with an explicit deny in an identity-based policy`;
    case "no-session-allow":
      return `${head} because no session policy allows the ${action} action`;
    case "no-resource-allow":
      return `${head} because no resource-based policy allows the ${action} action`;
    case "scp-explicit-deny":
      return `${head} with an explicit deny in a service control policy`;
    case "scp-no-allow":
      return `${head} because no service control policy allows the ${action} action`;
    case "no-identity-allow":
      return `${head} because no identity-based policy allows the ${action} action`;
  }
}
