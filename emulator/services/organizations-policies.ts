import { randomBytes } from "node:crypto";
import { validateServiceControlPolicy } from "@cloud-copilot/iam-policy";
import { AwsError } from "../aws-error.js";
import type { Organization } from "../world/organization.js";
import { attachedTo, type ScpPolicy } from "../world/service-control-policies.js";
import type { CallContext, OperationHandler } from "./call-context.js";
import { text } from "./input-text.js";

const SCP = "SERVICE_CONTROL_POLICY";
// AWS's quotas: a policy document of at most 5,120 characters, at most 5 SCPs per target.
const MAX_CONTENT = 5120;
const MAX_PER_TARGET = 5;

/** What the policy operations borrow from organizations-service.ts (passed in: no import cycle). */
export type PolicyHelpers = {
  organizationFor(
    ctx: CallContext,
    access: "any-member" | "read" | "management",
  ): Promise<Organization>;
  pageOf<T>(
    ctx: CallContext,
    input: Record<string, unknown>,
    resultKey: string,
    items: T[],
    shape?: (item: T) => unknown,
  ): Record<string, unknown>;
  invalidInput(reason: string, message: string): AwsError;
};

function summaryOf(policy: ScpPolicy): Record<string, unknown> {
  return {
    Id: policy.id,
    Arn: policy.arn,
    Name: policy.name,
    Description: policy.description,
    Type: SCP,
    AwsManaged: policy.awsManaged,
  };
}

function constraint(reason: string, message: string): AwsError {
  return new AwsError("ConstraintViolationException", message, 400, "Sender", {
    members: { Reason: reason },
  });
}

/** The organization's policy operations, for service control policies (the only type emulated). */
export function policyHandlers(h: PolicyHelpers): Record<string, OperationHandler> {
  const requireType = (type: string): void => {
    if (type === SCP) return;
    if (
      [
        "TAG_POLICY",
        "BACKUP_POLICY",
        "AISERVICES_OPT_OUT_POLICY",
        "RESOURCE_CONTROL_POLICY",
        "CHATBOT_POLICY",
        "DECLARATIVE_POLICY_EC2",
      ].includes(type)
    )
      throw new AwsError(
        "NotImplemented",
        `The emulator implements only ${SCP} policies, not ${type}`,
        501,
      );
    throw h.invalidInput(
      "INVALID_ENUM",
      `You specified an invalid value for PolicyType or Filter: ${type}.`,
    );
  };
  const requireEnabled = (org: Organization): void => {
    if (!org.scp.enabled)
      throw new AwsError(
        "PolicyTypeNotEnabledException",
        "This operation can be performed only for enabled policy types.",
      );
  };
  const policyOf = (org: Organization, id: string): ScpPolicy => {
    if (!/^p-[0-9a-zA-Z_]{8,128}$/.test(id))
      throw h.invalidInput(
        "INVALID_PATTERN",
        "You specified a value that is not valid for PolicyId. It must begin with p- and be followed by 8 to 128 letters, digits or underscores.",
      );
    const policy = org.scp.policies.get(id);
    if (policy === undefined)
      throw new AwsError(
        "PolicyNotFoundException",
        "We can't find a policy with the PolicyId that you specified.",
      );
    return policy;
  };
  const requireTarget = (org: Organization, id: string): void => {
    if (id === org.rootId || org.units.has(id) || org.accounts.has(id)) return;
    throw new AwsError(
      "TargetNotFoundException",
      "We can't find a root, OU, account, or policy with the TargetId that you specified.",
    );
  };
  const documentOf = (content: string): unknown => {
    const malformed = (detail: string) =>
      new AwsError(
        "MalformedPolicyDocumentException",
        `The provided policy document doesn't meet the requirements of the specified policy type: ${detail}`,
      );
    if (content.length > MAX_CONTENT)
      throw constraint(
        "MAX_POLICY_SIZE_EXCEEDED",
        `You attempted to create a policy larger than the maximum size of ${MAX_CONTENT} characters.`,
      );
    let document: unknown;
    try {
      document = JSON.parse(content);
    } catch {
      throw malformed("it is not valid JSON");
    }
    const problem = validateServiceControlPolicy(document)[0];
    if (problem !== undefined) throw malformed(`${problem.message} (${problem.path})`);
    return document;
  };
  const changed = (org: Organization): void => {
    org.scp.version += 1;
  };
  const rootOutput = (org: Organization) => ({
    Id: org.rootId,
    Arn: org.rootArn,
    Name: "Root",
    PolicyTypes: org.scp.enabled ? [{ Type: SCP, Status: "ENABLED" }] : [],
  });

  return {
    async EnablePolicyType(ctx, input) {
      const org = await h.organizationFor(ctx, "management");
      requireType(text(input.PolicyType));
      if (text(input.RootId) !== org.rootId)
        throw new AwsError(
          "RootNotFoundException",
          "We can't find a root with the RootId that you specified.",
        );
      if (org.featureSet !== "ALL")
        throw new AwsError(
          "PolicyTypeNotAvailableForOrganizationException",
          "You can't use the specified policy type with the feature set currently enabled for this organization.",
        );
      if (org.scp.enabled)
        throw new AwsError(
          "PolicyTypeAlreadyEnabledException",
          "The specified policy type is already enabled.",
        );
      // AWS attaches FullAWSAccess everywhere: a target without attachments has it (see ScpState).
      org.scp.enabled = true;
      org.scp.attachments.clear();
      changed(org);
      return { Root: rootOutput(org) };
    },

    async DisablePolicyType(ctx, input) {
      const org = await h.organizationFor(ctx, "management");
      requireType(text(input.PolicyType));
      if (text(input.RootId) !== org.rootId)
        throw new AwsError(
          "RootNotFoundException",
          "We can't find a root with the RootId that you specified.",
        );
      requireEnabled(org);
      org.scp.enabled = false;
      org.scp.attachments.clear();
      changed(org);
      return { Root: rootOutput(org) };
    },

    async CreatePolicy(ctx, input) {
      const org = await h.organizationFor(ctx, "management");
      requireType(text(input.Type));
      requireEnabled(org);
      const name = text(input.Name);
      if (name.length < 1 || name.length > 128)
        throw h.invalidInput("INVALID_INPUT", "You specified a value that is not valid for Name.");
      const content = text(input.Content);
      const document = documentOf(content);
      if ([...org.scp.policies.values()].some((p) => p.name === name))
        throw new AwsError(
          "DuplicatePolicyException",
          "A policy with the same name already exists.",
        );
      const id = `p-${randomBytes(6).toString("hex")}`;
      const policy: ScpPolicy = {
        id,
        arn: `arn:aws:organizations::${org.managementAccountId}:policy/${org.id}/service_control_policy/${id}`,
        name,
        description: text(input.Description),
        awsManaged: false,
        content,
        document,
      };
      org.scp.policies.set(id, policy);
      return { Policy: { PolicySummary: summaryOf(policy), Content: content } };
    },

    async DescribePolicy(ctx, input) {
      const org = await h.organizationFor(ctx, "read");
      const policy = policyOf(org, text(input.PolicyId));
      return { Policy: { PolicySummary: summaryOf(policy), Content: policy.content } };
    },

    async DeletePolicy(ctx, input) {
      const org = await h.organizationFor(ctx, "management");
      const policy = policyOf(org, text(input.PolicyId));
      if (policy.awsManaged)
        throw constraint(
          "CANNOT_DELETE_AWS_MANAGED_POLICY",
          "You cannot delete an AWS managed policy.",
        );
      if ([...org.scp.attachments.values()].some((ids) => ids.includes(policy.id)))
        throw new AwsError(
          "PolicyInUseException",
          "The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation.",
        );
      org.scp.policies.delete(policy.id);
      return {};
    },

    async AttachPolicy(ctx, input) {
      const org = await h.organizationFor(ctx, "management");
      const policy = policyOf(org, text(input.PolicyId));
      const targetId = text(input.TargetId);
      requireTarget(org, targetId);
      requireEnabled(org);
      const attached = attachedTo(org, targetId);
      if (attached.includes(policy.id))
        throw new AwsError(
          "DuplicatePolicyAttachmentException",
          "The selected policy is already attached to the specified target.",
        );
      if (attached.length >= MAX_PER_TARGET)
        throw constraint(
          "POLICY_NUMBER_LIMIT_EXCEEDED",
          `You attempted to attach more than ${MAX_PER_TARGET} policies of type ${SCP} to a root, OU or account.`,
        );
      org.scp.attachments.set(targetId, [...attached, policy.id]);
      changed(org);
      return {};
    },

    async DetachPolicy(ctx, input) {
      const org = await h.organizationFor(ctx, "management");
      const policy = policyOf(org, text(input.PolicyId));
      const targetId = text(input.TargetId);
      requireTarget(org, targetId);
      requireEnabled(org);
      const attached = attachedTo(org, targetId);
      if (!attached.includes(policy.id))
        throw new AwsError(
          "PolicyNotAttachedException",
          "The policy isn't attached to the specified target in the specified root.",
        );
      // Every root, OU and account keeps at least one SCP while the type is enabled.
      if (attached.length === 1)
        throw constraint(
          "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
          `You attempted to detach the last policy of type ${SCP} from a root, OU or account: each must have at least one.`,
        );
      org.scp.attachments.set(
        targetId,
        attached.filter((id) => id !== policy.id),
      );
      changed(org);
      return {};
    },

    async ListPolicies(ctx, input) {
      const org = await h.organizationFor(ctx, "read");
      requireType(text(input.Filter));
      return h.pageOf(ctx, input, "Policies", [...org.scp.policies.values()], summaryOf);
    },

    async ListPoliciesForTarget(ctx, input) {
      const org = await h.organizationFor(ctx, "read");
      requireType(text(input.Filter));
      const targetId = text(input.TargetId);
      requireTarget(org, targetId);
      const ids = org.scp.enabled ? attachedTo(org, targetId) : [];
      const policies = ids.flatMap((id) => {
        const policy = org.scp.policies.get(id);
        return policy === undefined ? [] : [policy];
      });
      return h.pageOf(ctx, input, "Policies", policies, summaryOf);
    },

    async ListTargetsForPolicy(ctx, input) {
      const org = await h.organizationFor(ctx, "read");
      const policy = policyOf(org, text(input.PolicyId));
      if (!org.scp.enabled) return h.pageOf(ctx, input, "Targets", []);
      const targets = [
        { TargetId: org.rootId, Arn: org.rootArn, Name: "Root", Type: "ROOT" },
        ...[...org.units.values()].map((u) => ({
          TargetId: u.id,
          Arn: u.arn,
          Name: u.name,
          Type: "ORGANIZATIONAL_UNIT",
        })),
        ...[...org.accounts.values()].map((a) => ({
          TargetId: a.id,
          Arn: a.arn,
          Name: a.name,
          Type: "ACCOUNT",
        })),
      ].filter((t) => attachedTo(org, t.TargetId).includes(policy.id));
      return h.pageOf(ctx, input, "Targets", targets);
    },
  };
}
