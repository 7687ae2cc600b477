import { randomUUID } from "node:crypto";
import { AwsError } from "../aws-error.js";
import type { Authorizer } from "../iam/authorizer.js";
import type { Knobs } from "../knobs/knobs.js";
import { accountStatus, unitAndDescendants, type Organization } from "../world/organization.js";
import type { World } from "../world/world.js";
import {
  deleteResources,
  deployTemplate,
  stacksOf,
  type StackItem,
} from "./cloudformation-stack.js";
import type { ParameterValue, Template } from "./cloudformation-template.js";

/** What stack set operations need, from a call or from a control route. */
export type StackSetDeps = {
  world: World;
  authorizer: Authorizer;
  knobs: Knobs;
  now: () => Date;
  state: Map<string, unknown>;
};

export type StackInstance = {
  StackSetId: string;
  Region: string;
  Account: string;
  StackId?: string;
  ParameterOverrides: ParameterValue[];
  Status: "CURRENT" | "OUTDATED" | "INOPERABLE";
  StackInstanceStatus: { DetailedStatus: string };
  StatusReason?: string;
  OrganizationalUnitId?: string;
  DriftStatus: "NOT_CHECKED";
  LastOperationId: string;
};

export type OperationResult = {
  Account: string;
  Region: string;
  Status: "PENDING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED";
  StatusReason?: string;
  AccountGateResult?: { Status: string; StatusReason?: string };
  OrganizationalUnitId?: string;
};

type Target = { account: string; region: string; ouId?: string };

export type OperationPreferences = {
  RegionConcurrencyType?: string;
  RegionOrder?: string[];
  FailureToleranceCount?: number;
  FailureTolerancePercentage?: number;
  MaxConcurrentCount?: number;
  MaxConcurrentPercentage?: number;
  ConcurrencyMode?: string;
};

export type StackSetOperation = {
  OperationId: string;
  StackSetId: string;
  Action: "CREATE" | "UPDATE" | "DELETE";
  Status: "RUNNING" | "SUCCEEDED" | "FAILED" | "STOPPED" | "QUEUED";
  OperationPreferences?: OperationPreferences;
  RetainStacks?: boolean;
  CreationTimestamp: Date;
  EndTimestamp?: Date;
  DeploymentTargets?: Record<string, unknown>;
  StatusReason?: string;
  StatusDetails?: { FailedStackInstancesCount: number };
  /** Reads of the stack set still to answer RUNNING before the operation completes. */
  pollsLeft: number;
  targets: Target[];
  results: OperationResult[];
};

export type StackSet = {
  StackSetName: string;
  StackSetId: string;
  StackSetARN: string;
  Description?: string;
  Status: "ACTIVE" | "DELETED";
  TemplateBody: string;
  Parameters: ParameterValue[];
  Capabilities: string[];
  Tags: { Key: string; Value: string }[];
  PermissionModel: "SERVICE_MANAGED" | "SELF_MANAGED";
  AutoDeployment?: { Enabled: boolean; RetainStacksOnAccountRemoval?: boolean };
  ManagedExecution: { Active: boolean };
  AdministrationRoleARN?: string;
  ExecutionRoleName?: string;
  /** The OUs CreateStackInstances targeted: automatic deployment follows accounts into them. */
  OrganizationalUnitIds: string[];
  Regions: string[];
  owner: string;
  region: string;
  template: Template;
  parameters: Record<string, string>;
  instances: Map<string, StackInstance>;
  /** Oldest first. */
  operations: StackSetOperation[];
};

const STATE_KEY = "cloudformation.stackSets";

/** Every stack set of one emulator, keyed `owner|region|name`. */
export function stackSetStore(state: Map<string, unknown>): Map<string, StackSet> {
  let store = state.get(STATE_KEY) as Map<string, StackSet> | undefined;
  if (store === undefined) {
    store = new Map();
    state.set(STATE_KEY, store);
  }
  return store;
}

export function stackSetKey(owner: string, region: string, name: string): string {
  return `${owner}|${region}|${name}`;
}

function instanceKey(account: string, region: string): string {
  return `${account}|${region}`;
}

// Suspended and closing accounts are skipped by every stack set operation.
function isSuspended(org: Organization | undefined, accountId: string): boolean {
  const account = org?.accounts.get(accountId);
  return account !== undefined && accountStatus(account.state) !== "ACTIVE";
}

function tolerance(prefs: OperationPreferences | undefined, targets: number): number {
  if (prefs?.FailureToleranceCount !== undefined) return prefs.FailureToleranceCount;
  if (prefs?.FailureTolerancePercentage !== undefined)
    return Math.floor((prefs.FailureTolerancePercentage * targets) / 100);
  return 0;
}

export function runningOperation(set: StackSet): StackSetOperation | undefined {
  return set.operations.find((o) => o.Status === "RUNNING");
}

/** Starts an operation over `targets`; it completes after the polls knob's reads (0: now). */
export function startOperation(
  deps: StackSetDeps,
  set: StackSet,
  action: "CREATE" | "DELETE",
  targets: Target[],
  options: {
    operationId?: string;
    preferences?: OperationPreferences;
    retainStacks?: boolean;
    deploymentTargets?: Record<string, unknown>;
    immediate?: boolean;
  } = {},
): StackSetOperation {
  const running = runningOperation(set);
  if (running !== undefined && options.immediate !== true)
    throw new AwsError(
      "OperationInProgressException",
      `Another Operation on StackSet ${set.StackSetARN} is in progress`,
      409,
    );
  const operationId = options.operationId ?? randomUUID();
  if (set.operations.some((o) => o.OperationId === operationId))
    throw new AwsError(
      "OperationIdAlreadyExistsException",
      `The operation id ${operationId} already exists`,
      409,
    );
  const operation: StackSetOperation = {
    OperationId: operationId,
    StackSetId: set.StackSetId,
    Action: action,
    Status: "RUNNING",
    ...(options.preferences !== undefined ? { OperationPreferences: options.preferences } : {}),
    ...(options.retainStacks !== undefined ? { RetainStacks: options.retainStacks } : {}),
    ...(options.deploymentTargets !== undefined
      ? { DeploymentTargets: options.deploymentTargets }
      : {}),
    CreationTimestamp: deps.now(),
    pollsLeft: options.immediate === true ? 0 : deps.knobs.cloudFormationPolls,
    targets,
    results: targets.map((t) => ({
      Account: t.account,
      Region: t.region,
      Status: "PENDING",
      ...(t.ouId !== undefined ? { OrganizationalUnitId: t.ouId } : {}),
    })),
  };
  set.operations.push(operation);
  for (const t of targets) {
    if (!set.Regions.includes(t.region)) set.Regions.push(t.region);
    const key = instanceKey(t.account, t.region);
    const existing = set.instances.get(key);
    if (action === "CREATE" && existing === undefined)
      set.instances.set(key, {
        StackSetId: set.StackSetId,
        Region: t.region,
        Account: t.account,
        ParameterOverrides: [],
        Status: "OUTDATED",
        StackInstanceStatus: { DetailedStatus: "PENDING" },
        StatusReason: "User Initiated",
        ...(t.ouId !== undefined ? { OrganizationalUnitId: t.ouId } : {}),
        DriftStatus: "NOT_CHECKED",
        LastOperationId: operationId,
      });
    else if (existing !== undefined) {
      existing.LastOperationId = operationId;
      existing.StackInstanceStatus = { DetailedStatus: "PENDING" };
    }
  }
  if (operation.pollsLeft <= 0) completeOperation(deps, set, operation);
  else
    for (const t of targets) {
      const instance = set.instances.get(instanceKey(t.account, t.region));
      if (instance !== undefined) instance.StackInstanceStatus = { DetailedStatus: "RUNNING" };
    }
  return operation;
}

/** A read of the stack set: its running operation answers RUNNING, or completes now. */
export function observe(deps: StackSetDeps, set: StackSet): void {
  const operation = runningOperation(set);
  if (operation === undefined) return;
  if (operation.pollsLeft > 0) {
    operation.pollsLeft--;
    return;
  }
  completeOperation(deps, set, operation);
}

function executionRoleProblem(
  deps: StackSetDeps,
  set: StackSet,
  account: string,
): string | undefined {
  if (set.PermissionModel === "SERVICE_MANAGED") return undefined;
  const adminRole =
    set.AdministrationRoleARN?.split("/").pop() ?? "AWSCloudFormationStackSetAdministrationRole";
  const execRole = set.ExecutionRoleName ?? "AWSCloudFormationStackSetExecutionRole";
  const owner = deps.world.accounts.get(set.owner);
  const target = deps.world.accounts.get(account);
  if (owner?.roles.has(adminRole) === true && target?.roles.has(execRole) === true)
    return undefined;
  return `Account ${account} should have '${execRole}' role with trust relationship to Role '${adminRole}'.`;
}

function deployInstance(
  deps: StackSetDeps,
  set: StackSet,
  target: Target,
  operationId: string,
): { ok: boolean; reason?: string } {
  const account = deps.world.accounts.get(target.account);
  if (account === undefined)
    return { ok: false, reason: `Account ${target.account} does not exist` };
  const problem = executionRoleProblem(deps, set, target.account);
  if (problem !== undefined) return { ok: false, reason: problem };
  const stackName = `StackSet-${set.StackSetName}-${operationId.slice(0, 8)}${randomUUID().slice(0, 4)}`;
  const stackId = `arn:aws:cloudformation:${target.region}:${account.id}:stack/${stackName}/${randomUUID()}`;
  const now = deps.now();
  const result = deployTemplate(deps.world, deps.authorizer, account, target.region, {
    stackName,
    stackId,
    template: set.template,
    parameters: set.parameters,
    now,
  });
  const stack: StackItem = {
    StackId: stackId,
    StackName: stackName,
    ...(set.Description !== undefined ? { Description: set.Description } : {}),
    Parameters: set.Parameters,
    CreationTime: now,
    StackStatus: result.ok ? "CREATE_COMPLETE" : "ROLLBACK_COMPLETE",
    ...(result.ok
      ? {}
      : {
          StackStatusReason: `The following resource(s) failed to create: [${result.logicalId}]. Rollback requested by user.`,
        }),
    Capabilities: set.Capabilities,
    Outputs: result.ok ? result.outputs : [],
    Tags: set.Tags,
    DisableRollback: false,
    EnableTerminationProtection: false,
    DriftInformation: { StackDriftStatus: "NOT_CHECKED" },
    Resources: result.resources,
    Events: [],
  };
  if (result.ok) {
    stacksOf(account, target.region).push(stack);
    const instance = set.instances.get(instanceKey(target.account, target.region));
    if (instance !== undefined) instance.StackId = stackId;
    return { ok: true };
  }
  return {
    ok: false,
    reason: `ResourceLogicalId:${result.logicalId}, ResourceType:${result.type}, ResourceStatusReason:${result.reason}.`,
  };
}

function removeInstanceStack(deps: StackSetDeps, instance: StackInstance, retain: boolean): void {
  const account = deps.world.accounts.get(instance.Account);
  if (account === undefined || instance.StackId === undefined) return;
  const stacks = stacksOf(account, instance.Region);
  const index = stacks.findIndex((s) => s.StackId === instance.StackId);
  if (index === -1) return;
  const [stack] = stacks.splice(index, 1);
  if (!retain && stack !== undefined) {
    deleteResources(account, stack.Resources);
    deps.authorizer.clear();
  }
}

/** Runs an operation's work in each account and region, in order, within its failure tolerance. */
export function completeOperation(
  deps: StackSetDeps,
  set: StackSet,
  operation: StackSetOperation,
): void {
  const org = deps.world.organization;
  const allowed = tolerance(operation.OperationPreferences, operation.targets.length);
  let failed = 0;
  operation.targets.forEach((target, i) => {
    const result = operation.results[i];
    if (result === undefined) return;
    const key = instanceKey(target.account, target.region);
    const instance = set.instances.get(key);
    if (failed > allowed) {
      result.Status = "CANCELLED";
      result.StatusReason = "Cancelled since failure tolerance has exceeded";
      if (instance !== undefined) {
        instance.StackInstanceStatus = { DetailedStatus: "CANCELLED" };
        instance.StatusReason = result.StatusReason;
      }
      return;
    }
    if (operation.Action === "DELETE") {
      if (instance !== undefined)
        removeInstanceStack(deps, instance, operation.RetainStacks === true);
      set.instances.delete(key);
      result.Status = "SUCCEEDED";
      return;
    }
    if (instance === undefined) return;
    if (isSuspended(org, target.account)) {
      result.Status = "SUCCEEDED";
      result.StatusReason = `Account ${target.account} is suspended; the stack instance was skipped.`;
      instance.Status = "OUTDATED";
      instance.StackInstanceStatus = { DetailedStatus: "SKIPPED_SUSPENDED_ACCOUNT" };
      instance.StatusReason = result.StatusReason;
      return;
    }
    if (instance.Status === "CURRENT") {
      instance.StackInstanceStatus = { DetailedStatus: "SUCCEEDED" };
      result.Status = "SUCCEEDED";
      return;
    }
    const outcome = deployInstance(deps, set, target, operation.OperationId);
    if (outcome.ok) {
      result.Status = "SUCCEEDED";
      result.AccountGateResult = {
        Status: "SKIPPED",
        StatusReason:
          "Function not found: arn:aws:lambda:::function:AWSCloudFormationStackSetAccountGate",
      };
      instance.Status = "CURRENT";
      instance.StackInstanceStatus = { DetailedStatus: "SUCCEEDED" };
      delete instance.StatusReason;
    } else {
      failed++;
      result.Status = "FAILED";
      result.StatusReason = outcome.reason ?? "";
      instance.Status = "OUTDATED";
      instance.StackInstanceStatus = { DetailedStatus: "FAILED" };
      instance.StatusReason = result.StatusReason;
    }
  });
  operation.Status = failed > allowed ? "FAILED" : "SUCCEEDED";
  operation.EndTimestamp = deps.now();
  operation.StatusDetails = { FailedStackInstancesCount: failed };
  operation.pollsLeft = 0;
}

/** The accounts under the given OUs (and their child OUs), without the management account. */
export function accountsUnder(
  org: Organization,
  unitIds: string[],
): { account: string; ouId: string }[] {
  const found: { account: string; ouId: string }[] = [];
  const seen = new Set<string>();
  for (const unitId of unitIds) {
    const units = unitAndDescendants(org, unitId);
    for (const account of org.accounts.values()) {
      if (account.id === org.managementAccountId || seen.has(account.id)) continue;
      if (!units.has(account.parentId)) continue;
      seen.add(account.id);
      found.push({ account: account.id, ouId: unitId });
    }
  }
  return found;
}

/**
 * Automatic deployment: after an account joined, moved, or left, each service-managed stack
 * set with automatic deployment creates its instances in an account now under a target OU, and
 * removes them (keeping the stacks if RetainStacksOnAccountRemoval) from one no longer under any.
 */
export function autoDeploy(deps: StackSetDeps, accountId: string): void {
  const org = deps.world.organization;
  for (const set of stackSetStore(deps.state).values()) {
    if (set.PermissionModel !== "SERVICE_MANAGED" || set.AutoDeployment?.Enabled !== true) continue;
    const target =
      org === undefined
        ? undefined
        : accountsUnder(org, set.OrganizationalUnitIds).find((a) => a.account === accountId);
    const existing = [...set.instances.values()].filter((i) => i.Account === accountId);
    if (target !== undefined && existing.length === 0 && set.Regions.length > 0) {
      startOperation(
        deps,
        set,
        "CREATE",
        set.Regions.map((region) => ({ account: accountId, region, ouId: target.ouId })),
        { immediate: true },
      );
    } else if (target === undefined && existing.length > 0) {
      startOperation(
        deps,
        set,
        "DELETE",
        existing.map((i) => ({ account: i.Account, region: i.Region })),
        { immediate: true, retainStacks: set.AutoDeployment.RetainStacksOnAccountRemoval === true },
      );
    } else if (target !== undefined) {
      for (const instance of existing) instance.OrganizationalUnitId = target.ouId;
    }
  }
}
