import { AwsError } from "../aws-error.js";
import { sessionPolicy } from "../iam/session-policy.js";
import { accountStatus } from "../world/organization.js";
import { scpLevelsFor } from "../world/service-control-policies.js";
import {
  checkSessionName,
  credentialsOutput,
  issueRoleSession,
  sessionSeconds,
} from "./assume-role-session.js";
import type { CallContext, ServiceHandlers } from "./call-context.js";
import { findRole } from "./find-role.js";
import { text } from "./input-text.js";

/** The caller's account's SCPs apply to its sts:AssumeRole as to any other call. */
function serviceControlPoliciesOf(ctx: CallContext) {
  const scps = scpLevelsFor(ctx.world.organization, ctx.principal);
  return scps === undefined ? {} : { serviceControlPolicies: scps };
}

export const stsService: ServiceHandlers = {
  // AWS answers GetCallerIdentity for any valid credentials, even under an explicit deny.
  GetCallerIdentity(ctx) {
    const { principal } = ctx;
    const userId = principal.userId;
    return Promise.resolve({ UserId: userId, Account: principal.accountId, Arn: principal.arn });
  },

  async AssumeRole(ctx, input) {
    const roleArn = text(input.RoleArn);
    const sessionName = text(input.RoleSessionName);
    checkSessionName(sessionName);
    if (typeof input.ExternalId === "string" && !/^[\w+=,.@:/-]{2,1224}$/.test(input.ExternalId))
      throw new AwsError(
        "ValidationError",
        `1 validation error detected: Value '${input.ExternalId}' at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*`,
        400,
      );
    const policy = sessionPolicy(input);
    const role = findRole(ctx.world, roleArn);
    const denied = new AwsError(
      "AccessDenied",
      `User: ${ctx.principal.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      403,
    );
    if (role === undefined) throw denied;
    // A suspended or closing member account's roles cannot be assumed: AWS answers as for a
    // trust policy that does not allow the caller.
    const member = ctx.world.organization?.accounts.get(role.accountId);
    if (member !== undefined && accountStatus(member.state) !== "ACTIVE") throw denied;
    const context: Record<string, string> = { "sts:RoleSessionName": sessionName };
    if (typeof input.ExternalId === "string") context["sts:ExternalId"] = input.ExternalId;
    const decision = await ctx.authorizer.authorize({
      principal: ctx.principal,
      action: "sts:AssumeRole",
      resource: role.arn,
      resourceAccountId: role.accountId,
      region: ctx.region,
      resourcePolicy: role.trust,
      context,
      ...serviceControlPoliciesOf(ctx),
    });
    if (!decision.allowed) throw denied;
    const chained = ctx.principal.kind === "assumed-role";
    const seconds = sessionSeconds(role, input.DurationSeconds, chained);
    const session = issueRoleSession(
      ctx.sessions,
      role,
      sessionName,
      policy,
      chained,
      new Date(ctx.now().getTime() + seconds * 1000),
    );
    return {
      ...credentialsOutput(session),
      ...(policy !== undefined
        ? { PackedPolicySize: Math.min(99, Math.ceil(JSON.stringify(policy).length / 20)) }
        : {}),
    };
  },
};
