import { isProviderUrl } from "../iam/oidc-provider-url.js";
import { validateIdentityPolicy, validateTrustPolicy } from "@cloud-copilot/iam-policy";
import type { Authorizer } from "../iam/authorizer.js";
import { managedPolicyDocument, releaseManagedPolicies } from "../world/managed-policy.js";
import { uniqueId } from "../world/unique-id.js";
import type { PolicyDocument } from "../world/world-schema.js";
import { collection, type Account, type Policy, type World } from "../world/world.js";
import {
  condition,
  evaluate,
  NO_VALUE,
  type ParameterValue,
  type Scope,
  type Template,
} from "./cloudformation-template.js";
import { checkPrincipals } from "./iam-service.js";
import { text } from "./input-text.js";

/** A resource a stack created, so that deleting the stack removes exactly it. */
export type StackResource = {
  LogicalResourceId: string;
  ResourceType: string;
  PhysicalResourceId: string;
  ResourceStatus: string;
  ResourceStatusReason?: string;
  Timestamp: Date;
};

/**
 * A stack as DescribeStacks returns it. It is kept in the account's world data (region →
 * cloudformation → Stacks), so the generic reads see it too; `Resources` and `Events` are not
 * members of the Stack shape and never reach the wire.
 */
export type StackItem = {
  StackId: string;
  StackName: string;
  Description?: string;
  Parameters: ParameterValue[];
  CreationTime: Date;
  DeletionTime?: Date;
  StackStatus: string;
  StackStatusReason?: string;
  Capabilities: string[];
  Outputs: { OutputKey: string; OutputValue: string; Description?: string }[];
  Tags: { Key: string; Value: string }[];
  DisableRollback: boolean;
  EnableTerminationProtection: boolean;
  DriftInformation: { StackDriftStatus: string };
  Resources: StackResource[];
  Events: Record<string, unknown>[];
};

export function stacksOf(account: Account, region: string): StackItem[] {
  return collection(account, region, "cloudformation", "Stacks") as unknown as StackItem[];
}

/** Thrown by a resource handler: the reason CloudFormation records on the resource. */
class ResourceFailure extends Error {}

// A stable 12-character suffix, as CloudFormation appends to the names it generates.
function suffix(seed: string): string {
  return uniqueId("AROA", seed).slice(4, 16);
}

function generatedName(stackName: string, logicalId: string, max: number): string {
  const tail = `-${logicalId}-${suffix(`${stackName}/${logicalId}`)}`;
  return `${stackName.slice(0, Math.max(1, max - tail.length))}${tail}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function policyDocument(value: unknown, what: string): PolicyDocument {
  let document = value;
  if (typeof value === "string") {
    try {
      document = JSON.parse(value) as unknown;
    } catch {
      throw new ResourceFailure(`${what} contains invalid Json (Service: Iam, Status Code: 400)`);
    }
  }
  if (!isObject(document))
    throw new ResourceFailure(`${what} is not a policy document (Service: Iam, Status Code: 400)`);
  return document as PolicyDocument;
}

function checked(
  document: PolicyDocument,
  validate: (policy: unknown) => { message: string; path: string }[],
): PolicyDocument {
  const problem = validate(document)[0];
  if (problem !== undefined)
    throw new ResourceFailure(
      `Resource handler returned message: "${problem.message} (${problem.path}) (Service: Iam, Status Code: 400)" (HandlerErrorCode: InvalidRequest)`,
    );
  return document;
}

function alreadyExists(type: string, id: string): ResourceFailure {
  return new ResourceFailure(
    `Resource of type '${type}' with identifier '${id}' already exists. (HandlerErrorCode: AlreadyExists)`,
  );
}

function inlinePolicies(value: unknown, what: string): Policy[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ResourceFailure(`Value of property Policies must be a list`);
  return value.map((p: unknown) => {
    if (!isObject(p) || typeof p.PolicyName !== "string")
      throw new ResourceFailure(`Property PolicyName of ${what} is required`);
    return {
      name: p.PolicyName,
      document: checked(policyDocument(p.PolicyDocument, p.PolicyName), validateIdentityPolicy),
    };
  });
}

function managedPolicies(value: unknown): Policy[] {
  if (value === undefined) return [];
  if (!Array.isArray(value))
    throw new ResourceFailure(`Value of property ManagedPolicyArns must be a list`);
  try {
    return value.map((arn) => {
      const document = managedPolicyDocument(String(arn));
      if (document === undefined)
        throw new ResourceFailure(
          `Resource handler returned message: "Policy ${String(arn)} does not exist or is not attachable. (Service: Iam, Status Code: 404)" (HandlerErrorCode: NotFound)`,
        );
      return { name: String(arn), document: document as PolicyDocument };
    });
  } finally {
    releaseManagedPolicies();
  }
}

type Planned = { logicalId: string; type: string; properties: Record<string, unknown> };

/** The physical id and attributes of each resource, known before any is created. */
function plan(scope: Scope): Planned[] {
  const planned: Planned[] = [];
  for (const [logicalId, resource] of Object.entries(scope.template.Resources)) {
    const when = (resource as { Condition?: unknown }).Condition;
    if (typeof when === "string" && !condition(scope, when)) continue;
    const raw = resource.Properties ?? {};
    const { accountId } = scope;
    switch (resource.Type) {
      case "AWS::IAM::Role": {
        const name =
          raw.RoleName === undefined
            ? generatedName(scope.stackName, logicalId, 64)
            : String(evaluate(scope, raw.RoleName));
        const arn = `arn:aws:iam::${accountId}:role/${name}`;
        scope.refs[logicalId] = name;
        scope.attributes[logicalId] = { Arn: arn, RoleId: uniqueId("AROA", arn) };
        break;
      }
      case "AWS::IAM::OIDCProvider": {
        const url = String(evaluate(scope, raw.Url)).replace(/\/$/, "");
        const arn = `arn:aws:iam::${accountId}:oidc-provider/${url.replace(/^https?:\/\//, "")}`;
        scope.refs[logicalId] = arn;
        scope.attributes[logicalId] = { Arn: arn };
        break;
      }
      case "AWS::IAM::ManagedPolicy": {
        const name =
          raw.ManagedPolicyName === undefined
            ? generatedName(scope.stackName, logicalId, 128)
            : String(evaluate(scope, raw.ManagedPolicyName));
        const arn = `arn:aws:iam::${accountId}:policy/${name}`;
        scope.refs[logicalId] = arn;
        scope.attributes[logicalId] = { PolicyArn: arn };
        break;
      }
      case "AWS::IAM::Policy":
        scope.refs[logicalId] = generatedName(scope.stackName, logicalId, 128);
        scope.attributes[logicalId] = {};
        break;
      default:
        scope.refs[logicalId] = generatedName(scope.stackName, logicalId, 128);
        scope.attributes[logicalId] = {};
    }
    planned.push({ logicalId, type: resource.Type, properties: raw });
  }
  // Providers before the roles that trust them, roles before the policies attached to them.
  const order = ["AWS::IAM::OIDCProvider", "AWS::IAM::Role", "AWS::IAM::ManagedPolicy"];
  const rank = (type: string): number => (order.includes(type) ? order.indexOf(type) : 9);
  return planned.sort((a, b) => rank(a.type) - rank(b.type));
}

function createResource(world: World, account: Account, scope: Scope, resource: Planned): string {
  const properties = evaluate(scope, resource.properties) as Record<string, unknown>;
  const physicalId = scope.refs[resource.logicalId] ?? resource.logicalId;
  switch (resource.type) {
    case "AWS::IAM::OIDCProvider": {
      const url = text(properties.Url).replace(/\/$/, "");
      // AWS requires https (the emulator also takes http on loopback, where test issuers are).
      if (!isProviderUrl(url)) throw new ResourceFailure(`Property Url must be an https:// URL`);
      if (account.oidcProviders.some((p) => p.arn === physicalId))
        throw alreadyExists(resource.type, physicalId);
      const clientIds = Array.isArray(properties.ClientIdList)
        ? properties.ClientIdList.map(String)
        : [];
      // IAM's model: client ids of 1 to 255 characters, thumbprints of exactly 40. IAM's
      // validation layer reports a list whose members break a length as one error on the list.
      const thumbprints = Array.isArray(properties.ThumbprintList)
        ? properties.ThumbprintList.map(String)
        : [];
      const invalid = [
        ...(clientIds.some((c) => c.length < 1 || c.length > 255)
          ? [
              `Value '[${clientIds.join(", ")}]' at 'clientIDList' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 255, Member must have length greater than or equal to 1]`,
            ]
          : []),
        ...(thumbprints.some((t) => t.length !== 40)
          ? [
              `Value '[${thumbprints.join(", ")}]' at 'thumbprintList' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 40, Member must have length greater than or equal to 40]`,
            ]
          : []),
      ];
      if (invalid.length > 0)
        throw new ResourceFailure(
          `Resource handler returned message: "${invalid.length} validation error${invalid.length > 1 ? "s" : ""} detected: ${invalid.join("; ")} (Service: Iam, Status Code: 400)" (HandlerErrorCode: InvalidRequest)`,
        );
      account.oidcProviders.push({
        url,
        hostAndPath: url.replace(/^https?:\/\//, ""),
        arn: physicalId,
        clientIds,
      });
      return physicalId;
    }
    case "AWS::IAM::Role": {
      if (account.roles.has(physicalId)) throw alreadyExists(resource.type, physicalId);
      if (!/^[\w+=,.@-]{1,64}$/.test(physicalId))
        throw new ResourceFailure(`Property RoleName must match [\\w+=,.@-]{1,64}`);
      const trust = checked(
        policyDocument(properties.AssumeRolePolicyDocument, "AssumeRolePolicyDocument"),
        validateTrustPolicy,
      );
      try {
        checkPrincipals(world, account, trust);
      } catch (error) {
        throw new ResourceFailure(
          `Resource handler returned message: "${error instanceof Error ? error.message : String(error)} (Service: Iam, Status Code: 400)" (HandlerErrorCode: InvalidRequest)`,
        );
      }
      const arn = `arn:aws:iam::${account.id}:role/${physicalId}`;
      const maxSession = Number(properties.MaxSessionDuration ?? 3600);
      account.roles.set(physicalId, {
        name: physicalId,
        arn,
        uniqueId: uniqueId("AROA", arn),
        accountId: account.id,
        trust,
        policies: [
          ...managedPolicies(properties.ManagedPolicyArns),
          ...inlinePolicies(properties.Policies, resource.logicalId),
        ],
        maxSessionDurationSeconds: Number.isInteger(maxSession) ? maxSession : 3600,
      });
      return physicalId;
    }
    case "AWS::IAM::Policy":
    case "AWS::IAM::ManagedPolicy": {
      const document = checked(
        policyDocument(properties.PolicyDocument, resource.logicalId),
        validateIdentityPolicy,
      );
      const roles = Array.isArray(properties.Roles) ? properties.Roles.map(String) : [];
      for (const roleName of roles) {
        const role = account.roles.get(roleName);
        if (role === undefined)
          throw new ResourceFailure(
            `Resource handler returned message: "The role with name ${roleName} cannot be found. (Service: Iam, Status Code: 404)" (HandlerErrorCode: NotFound)`,
          );
        // Customer managed policies are not modeled: attached, they act as the same document inline.
        role.policies.push({ name: physicalId, document });
      }
      return physicalId;
    }
    default:
      throw new ResourceFailure(
        `The emulator does not create resources of type ${resource.type} (only AWS::IAM::Role, AWS::IAM::OIDCProvider, AWS::IAM::Policy and AWS::IAM::ManagedPolicy)`,
      );
  }
}

/** Removes what a stack created from the account's IAM. */
export function deleteResources(account: Account, resources: StackResource[]): void {
  for (const r of [...resources].reverse()) {
    if (r.ResourceStatus !== "CREATE_COMPLETE") continue;
    if (r.ResourceType === "AWS::IAM::Role") account.roles.delete(r.PhysicalResourceId);
    else if (r.ResourceType === "AWS::IAM::OIDCProvider")
      account.oidcProviders = account.oidcProviders.filter((p) => p.arn !== r.PhysicalResourceId);
    else
      for (const role of account.roles.values())
        role.policies = role.policies.filter((p) => p.name !== r.PhysicalResourceId);
  }
}

export type DeployInput = {
  stackName: string;
  stackId: string;
  template: Template;
  parameters: Record<string, string>;
  now: Date;
};

export type DeployResult =
  | { ok: true; resources: StackResource[]; outputs: StackItem["Outputs"] }
  | { ok: false; resources: StackResource[]; logicalId: string; type: string; reason: string };

/**
 * Creates a template's resources in one account and region, in CloudFormation's order; on the
 * first failure, removes what it created (a rollback) and says which resource failed and why.
 */
export function deployTemplate(
  world: World,
  authorizer: Authorizer,
  account: Account,
  region: string,
  input: DeployInput,
): DeployResult {
  const scope: Scope = {
    accountId: account.id,
    region,
    stackName: input.stackName,
    stackId: input.stackId,
    parameters: input.parameters,
    template: input.template,
    refs: {},
    attributes: {},
  };
  const resources: StackResource[] = [];
  let planned: Planned[] = [];
  try {
    planned = plan(scope);
    for (const resource of planned) {
      const physicalId = createResource(world, account, scope, resource);
      resources.push({
        LogicalResourceId: resource.logicalId,
        ResourceType: resource.type,
        PhysicalResourceId: physicalId,
        ResourceStatus: "CREATE_COMPLETE",
        Timestamp: input.now,
      });
    }
    const outputs: StackItem["Outputs"] = [];
    for (const [key, output] of Object.entries(input.template.Outputs)) {
      if (typeof output.Condition === "string" && !condition(scope, output.Condition)) continue;
      const value = evaluate(scope, output.Value);
      if (value === NO_VALUE) continue;
      outputs.push({
        OutputKey: key,
        OutputValue: Array.isArray(value) ? value.join(",") : String(value),
        ...(output.Description !== undefined ? { Description: output.Description } : {}),
      });
    }
    authorizer.clear();
    return { ok: true, resources, outputs };
  } catch (error) {
    deleteResources(account, resources);
    authorizer.clear();
    const failed = planned[resources.length];
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      resources,
      logicalId: failed?.logicalId ?? "",
      type: failed?.type ?? "",
      reason,
    };
  }
}

/**
 * Refuses, before anything is created, a template whose references CloudFormation would refuse
 * at CreateStack or CreateStackSet time (an unknown Ref, a GetAtt on a missing attribute).
 */
export function checkTemplateReferences(
  template: Template,
  parameters: Record<string, string>,
): void {
  const scope: Scope = {
    accountId: "123456789012",
    region: "us-east-1",
    stackName: "validation",
    stackId: "validation",
    parameters,
    template,
    refs: {},
    attributes: {},
  };
  for (const resource of plan(scope)) evaluate(scope, resource.properties);
  for (const output of Object.values(template.Outputs)) evaluate(scope, output.Value);
}
