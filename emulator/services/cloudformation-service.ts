import { randomUUID } from "node:crypto";
import { AwsError } from "../aws-error.js";
import { paginate } from "../model/paginate.js";
import { isParent, STACKSETS_PRINCIPAL, type Organization } from "../world/organization.js";
import type { CallContext, ServiceHandlers } from "./call-context.js";
import {
  checkTemplateReferences,
  deleteResources,
  deployTemplate,
  stacksOf,
  type StackItem,
} from "./cloudformation-stack.js";
import {
  checkCapabilities,
  parseTemplate,
  resolveParameters,
  validationError,
  type ParameterValue,
  type Template,
} from "./cloudformation-template.js";
import { text } from "./input-text.js";
import {
  accountsUnder,
  observe,
  runningOperation,
  stackSetKey,
  stackSetStore,
  startOperation,
  type OperationPreferences,
  type StackSet,
} from "./stack-sets.js";

const NOT_ADMIN =
  "You must be the management account or delegated admin account of an organization before operating a SERVICE_MANAGED stack set";
const NO_TRUSTED_ACCESS =
  "You must enable organizations access to operate a service managed stack set";

function list<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

function parametersOf(value: unknown): ParameterValue[] {
  return list<ParameterValue>(value).map((p) => ({
    ParameterKey: text(p.ParameterKey),
    ParameterValue: text(p.ParameterValue),
  }));
}

function templateOf(input: Record<string, unknown>): Template {
  if (input.TemplateURL !== undefined)
    throw validationError(
      "The emulator does not fetch templates: pass the template as TemplateBody",
    );
  const body = text(input.TemplateBody);
  if (body === "") throw validationError("Either Template URL or Template Body must be specified.");
  if (body.length > 51200)
    throw validationError(
      "1 validation error detected: Value at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to 51200",
    );
  return parseTemplate(body);
}

/**
 * The account whose stack sets a call works on. With `CallAs: DELEGATED_ADMIN` the caller must be
 * a registered delegated administrator of StackSets, and works on the organization's stack sets,
 * which live in the management account (as AWS keeps them).
 */
function ownerFor(ctx: CallContext, input: Record<string, unknown>): string {
  const callAs = input.CallAs === undefined ? "SELF" : text(input.CallAs);
  if (callAs === "SELF") return ctx.account.id;
  if (callAs !== "DELEGATED_ADMIN")
    throw validationError(
      `1 validation error detected: Value '${callAs}' at 'callAs' failed to satisfy constraint: Member must satisfy enum value set: [SELF, DELEGATED_ADMIN]`,
    );
  const org = ctx.world.organization;
  if (
    org === undefined ||
    org.delegatedAdministrators.get(ctx.account.id)?.has(STACKSETS_PRINCIPAL) !== true
  )
    throw validationError(NOT_ADMIN);
  return org.managementAccountId;
}

/** The organization a service-managed call works in, refused as AWS refuses it. */
function organizationFor(ctx: CallContext, owner: string): Organization {
  const org = ctx.world.organization;
  if (org === undefined || owner !== org.managementAccountId) throw validationError(NOT_ADMIN);
  if (!org.trustedServices.has(STACKSETS_PRINCIPAL)) throw validationError(NO_TRUSTED_ACCESS);
  return org;
}

function stackSetArn(ctx: CallContext, owner: string, name: string): string {
  return `arn:aws:cloudformation:${ctx.region}:${owner}:stackset/${name}:*`;
}

async function findStackSet(
  ctx: CallContext,
  input: Record<string, unknown>,
): Promise<{ set: StackSet; owner: string }> {
  const owner = ownerFor(ctx, input);
  const name = text(input.StackSetName).replace(/:.*$/, "");
  await ctx.authorize(`cloudformation:${ctx.operation.name}`, stackSetArn(ctx, owner, name));
  const set = stackSetStore(ctx.state).get(stackSetKey(owner, ctx.region, name));
  if (set === undefined)
    throw new AwsError("StackSetNotFoundException", `StackSet ${name} not found`, 404);
  return { set, owner };
}

function page(
  ctx: CallContext,
  input: Record<string, unknown>,
  key: string,
  items: unknown[],
  defaultPageSize = 100,
): Record<string, unknown> {
  const requested = input.MaxResults;
  if (
    requested !== undefined &&
    (typeof requested !== "number" || requested < 1 || requested > 100)
  )
    throw validationError(
      `1 validation error detected: Value '${JSON.stringify(requested)}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100`,
    );
  let result;
  try {
    result = paginate(ctx.model, ctx.operation, input, items, { defaultPageSize });
  } catch {
    throw validationError("Invalid NextToken");
  }
  const output: Record<string, unknown> = { [key]: result.page };
  if (result.nextToken !== undefined) output.NextToken = result.nextToken;
  return output;
}

function preferencesOf(value: unknown): OperationPreferences | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const p = value as Record<string, unknown>;
  const count = (name: string): Record<string, number> =>
    typeof p[name] === "number" ? { [name]: p[name] } : {};
  const word = (name: string): Record<string, string> =>
    typeof p[name] === "string" ? { [name]: p[name] } : {};
  return {
    ...word("RegionConcurrencyType"),
    ...(Array.isArray(p.RegionOrder) ? { RegionOrder: p.RegionOrder.map(String) } : {}),
    ...count("FailureToleranceCount"),
    ...count("FailureTolerancePercentage"),
    ...count("MaxConcurrentCount"),
    ...count("MaxConcurrentPercentage"),
    ...word("ConcurrencyMode"),
  };
}

function checkRegions(ctx: CallContext, regions: string[]): void {
  if (regions.length === 0) throw validationError("Regions must not be empty");
  for (const region of regions)
    if (!ctx.world.regions.includes(region) && !ctx.world.optInRegions.includes(region))
      throw validationError(`Region ${region} is not supported`);
}

/** The (account, OU) pairs of a service-managed deployment, with AWS's account filters. */
function serviceManagedTargets(
  org: Organization,
  targets: Record<string, unknown>,
): { account: string; ouId?: string }[] {
  const unitIds = list<string>(targets.OrganizationalUnitIds).map(String);
  const accounts = list<string>(targets.Accounts).map(String);
  const filter = targets.AccountFilterType === undefined ? "NONE" : text(targets.AccountFilterType);
  if (unitIds.length === 0)
    throw validationError("OrganizationalUnitIds are required for a SERVICE_MANAGED stack set");
  const missing = unitIds.filter((id) => !isParent(org, id));
  if (missing.length > 0)
    throw validationError(
      `OrganizationalUnitIds [${missing.join(", ")}] do not exist in the organization`,
    );
  if (filter !== "NONE" && accounts.length === 0)
    throw validationError(`Accounts are required with AccountFilterType ${filter}`);
  const under = accountsUnder(org, unitIds);
  switch (filter) {
    case "NONE":
      return under;
    case "INTERSECTION":
      return under.filter((a) => accounts.includes(a.account));
    case "DIFFERENCE":
      return under.filter((a) => !accounts.includes(a.account));
    case "UNION":
      return [
        ...under,
        ...accounts
          .filter((id) => id !== org.managementAccountId && !under.some((a) => a.account === id))
          .map((account) => ({ account })),
      ];
    default:
      throw validationError(
        `1 validation error detected: Value '${filter}' at 'deploymentTargets.accountFilterType' failed to satisfy constraint: Member must satisfy enum value set: [NONE, UNION, INTERSECTION, DIFFERENCE]`,
      );
  }
}

function stackFor(ctx: CallContext, name: string): StackItem | undefined {
  const stacks = stacksOf(ctx.account, ctx.region);
  return stacks.find(
    (s) => (s.StackName === name || s.StackId === name) && s.StackStatus !== "DELETE_COMPLETE",
  );
}

// Each DescribeStacks answers CREATE_IN_PROGRESS this many more times for a new stack.
const stackPolls = new WeakMap<StackItem, { left: number; final: string }>();

function stackEvent(stack: StackItem, fields: Record<string, unknown>): Record<string, unknown> {
  return { StackId: stack.StackId, StackName: stack.StackName, EventId: randomUUID(), ...fields };
}

export const cloudFormationService: ServiceHandlers = {
  async ActivateOrganizationsAccess(ctx) {
    await ctx.authorize("cloudformation:ActivateOrganizationsAccess", "*");
    const org = ctx.world.organization;
    if (org === undefined || org.managementAccountId !== ctx.account.id)
      throw validationError(NOT_ADMIN);
    if (!org.trustedServices.has(STACKSETS_PRINCIPAL))
      org.trustedServices.set(STACKSETS_PRINCIPAL, ctx.now());
    return {};
  },

  async DeactivateOrganizationsAccess(ctx) {
    await ctx.authorize("cloudformation:DeactivateOrganizationsAccess", "*");
    const org = ctx.world.organization;
    if (org === undefined || org.managementAccountId !== ctx.account.id)
      throw validationError(NOT_ADMIN);
    org.trustedServices.delete(STACKSETS_PRINCIPAL);
    return {};
  },

  async DescribeOrganizationsAccess(ctx, input) {
    await ctx.authorize("cloudformation:DescribeOrganizationsAccess", "*");
    const owner = ownerFor(ctx, input);
    const org = ctx.world.organization;
    if (org === undefined || owner !== org.managementAccountId) throw validationError(NOT_ADMIN);
    return { Status: org.trustedServices.has(STACKSETS_PRINCIPAL) ? "ENABLED" : "DISABLED" };
  },

  async CreateStackSet(ctx, input) {
    const name = text(input.StackSetName);
    if (!/^[a-zA-Z][-a-zA-Z0-9]{0,127}$/.test(name))
      throw validationError(
        `1 validation error detected: Value '${name}' at 'stackSetName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*`,
      );
    const owner = ownerFor(ctx, input);
    // CreateStackSet has no resource type in IAM: it is authorized on "*".
    await ctx.authorize("cloudformation:CreateStackSet", "*");
    const model =
      input.PermissionModel === undefined ? "SELF_MANAGED" : text(input.PermissionModel);
    if (model !== "SELF_MANAGED" && model !== "SERVICE_MANAGED")
      throw validationError(
        `1 validation error detected: Value '${model}' at 'permissionModel' failed to satisfy constraint: Member must satisfy enum value set: [SERVICE_MANAGED, SELF_MANAGED]`,
      );
    if (model === "SERVICE_MANAGED") organizationFor(ctx, owner);
    else if (owner !== ctx.account.id) throw validationError(NOT_ADMIN);
    const auto = input.AutoDeployment as
      { Enabled?: unknown; RetainStacksOnAccountRemoval?: unknown } | undefined;
    if (auto !== undefined && model !== "SERVICE_MANAGED")
      throw validationError(
        "AutoDeployment is only supported for the SERVICE_MANAGED permission model",
      );
    const template = templateOf(input);
    checkCapabilities(template, input.Capabilities);
    const parameters = parametersOf(input.Parameters);
    const values = resolveParameters(template, parameters);
    checkTemplateReferences(template, values);
    const store = stackSetStore(ctx.state);
    const key = stackSetKey(owner, ctx.region, name);
    if (store.has(key))
      throw new AwsError("NameAlreadyExistsException", `StackSet ${name} already exists`, 409);
    const id = `${name}:${randomUUID()}`;
    const set: StackSet = {
      StackSetName: name,
      StackSetId: id,
      StackSetARN: `arn:aws:cloudformation:${ctx.region}:${owner}:stackset/${id}`,
      ...(typeof input.Description === "string" ? { Description: input.Description } : {}),
      Status: "ACTIVE",
      TemplateBody: text(input.TemplateBody),
      Parameters: parameters,
      Capabilities: list<string>(input.Capabilities).map(String),
      Tags: list<{ Key: string; Value: string }>(input.Tags),
      PermissionModel: model,
      ...(model === "SERVICE_MANAGED"
        ? {
            AutoDeployment: {
              Enabled: auto?.Enabled === true,
              ...(auto?.Enabled === true
                ? { RetainStacksOnAccountRemoval: auto.RetainStacksOnAccountRemoval === true }
                : {}),
            },
          }
        : {
            AdministrationRoleARN:
              text(input.AdministrationRoleARN) ||
              `arn:aws:iam::${owner}:role/AWSCloudFormationStackSetAdministrationRole`,
            ExecutionRoleName:
              text(input.ExecutionRoleName) || "AWSCloudFormationStackSetExecutionRole",
          }),
      ManagedExecution: { Active: false },
      OrganizationalUnitIds: [],
      Regions: [],
      owner,
      region: ctx.region,
      template,
      parameters: values,
      instances: new Map(),
      operations: [],
    };
    store.set(key, set);
    return { StackSetId: id };
  },

  async DescribeStackSet(ctx, input) {
    const { set } = await findStackSet(ctx, input);
    observe(ctx, set);
    return { StackSet: set };
  },

  async ListStackSets(ctx, input) {
    const owner = ownerFor(ctx, input);
    await ctx.authorize("cloudformation:ListStackSets", "*");
    const status = typeof input.Status === "string" ? input.Status : undefined;
    const sets = [...stackSetStore(ctx.state).values()].filter(
      (s) =>
        s.owner === owner &&
        s.region === ctx.region &&
        (status === undefined || s.Status === status),
    );
    return page(ctx, input, "Summaries", sets);
  },

  async CreateStackInstances(ctx, input) {
    const { set, owner } = await findStackSet(ctx, input);
    const regions = list<string>(input.Regions).map(String);
    checkRegions(ctx, regions);
    const targets = (input.DeploymentTargets ?? {}) as Record<string, unknown>;
    let accounts: { account: string; ouId?: string }[];
    if (set.PermissionModel === "SERVICE_MANAGED") {
      const org = organizationFor(ctx, owner);
      if (input.Accounts !== undefined)
        throw validationError(
          "StackSets with SERVICE_MANAGED permission model can only have OrganizationalUnit as target",
        );
      accounts = serviceManagedTargets(org, targets);
      for (const id of list<string>(targets.OrganizationalUnitIds).map(String))
        if (!set.OrganizationalUnitIds.includes(id)) set.OrganizationalUnitIds.push(id);
    } else {
      accounts = [...list<string>(input.Accounts), ...list<string>(targets.Accounts)]
        .map(String)
        .map((account) => ({ account }));
      if (accounts.length === 0) throw validationError("Accounts must not be empty");
    }
    const operationId = typeof input.OperationId === "string" ? input.OperationId : undefined;
    const preferences = preferencesOf(input.OperationPreferences);
    const operation = startOperation(
      ctx,
      set,
      "CREATE",
      regions.flatMap((region) =>
        accounts.map((a) => ({
          account: a.account,
          region,
          ...(a.ouId !== undefined ? { ouId: a.ouId } : {}),
        })),
      ),
      {
        ...(operationId !== undefined ? { operationId } : {}),
        ...(preferences !== undefined ? { preferences } : {}),
        deploymentTargets: targets,
      },
    );
    return { OperationId: operation.OperationId };
  },

  async DeleteStackInstances(ctx, input) {
    const { set, owner } = await findStackSet(ctx, input);
    const regions = list<string>(input.Regions).map(String);
    checkRegions(ctx, regions);
    if (typeof input.RetainStacks !== "boolean") throw validationError("RetainStacks is required");
    const targets = (input.DeploymentTargets ?? {}) as Record<string, unknown>;
    let accounts: string[];
    if (set.PermissionModel === "SERVICE_MANAGED") {
      const org = organizationFor(ctx, owner);
      const unitIds = list<string>(targets.OrganizationalUnitIds).map(String);
      accounts = serviceManagedTargets(org, targets).map((a) => a.account);
      // Accounts that left the targeted OUs still have instances recorded under them.
      for (const instance of set.instances.values())
        if (
          instance.OrganizationalUnitId !== undefined &&
          unitIds.includes(instance.OrganizationalUnitId) &&
          !accounts.includes(instance.Account)
        )
          accounts.push(instance.Account);
      set.OrganizationalUnitIds = set.OrganizationalUnitIds.filter((id) => !unitIds.includes(id));
    } else {
      accounts = [...list<string>(input.Accounts), ...list<string>(targets.Accounts)].map(String);
    }
    const existing = [...set.instances.values()].filter(
      (i) => accounts.includes(i.Account) && regions.includes(i.Region),
    );
    const operationId = typeof input.OperationId === "string" ? input.OperationId : undefined;
    const preferences = preferencesOf(input.OperationPreferences);
    const operation = startOperation(
      ctx,
      set,
      "DELETE",
      existing.map((i) => ({
        account: i.Account,
        region: i.Region,
        ...(i.OrganizationalUnitId !== undefined ? { ouId: i.OrganizationalUnitId } : {}),
      })),
      {
        ...(operationId !== undefined ? { operationId } : {}),
        ...(preferences !== undefined ? { preferences } : {}),
        retainStacks: input.RetainStacks,
        deploymentTargets: targets,
      },
    );
    return { OperationId: operation.OperationId };
  },

  async DescribeStackSetOperation(ctx, input) {
    const { set } = await findStackSet(ctx, input);
    observe(ctx, set);
    const id = text(input.OperationId);
    const operation = set.operations.find((o) => o.OperationId === id);
    if (operation === undefined)
      throw new AwsError("OperationNotFoundException", `Operation ${id} not found`, 404);
    return { StackSetOperation: operation };
  },

  async ListStackSetOperations(ctx, input) {
    const { set } = await findStackSet(ctx, input);
    observe(ctx, set);
    return page(ctx, input, "Summaries", [...set.operations].reverse());
  },

  async ListStackSetOperationResults(ctx, input) {
    const { set } = await findStackSet(ctx, input);
    observe(ctx, set);
    const id = text(input.OperationId);
    const operation = set.operations.find((o) => o.OperationId === id);
    if (operation === undefined)
      throw new AwsError("OperationNotFoundException", `Operation ${id} not found`, 404);
    const statuses = list<{ Name?: string; Values?: string }>(input.Filters)
      .filter((f) => f.Name === "OPERATION_RESULT_STATUS")
      .map((f) => String(f.Values));
    const results = operation.results.filter(
      (r) => statuses.length === 0 || statuses.includes(r.Status),
    );
    return page(ctx, input, "Summaries", results);
  },

  async ListStackInstances(ctx, input) {
    const { set } = await findStackSet(ctx, input);
    observe(ctx, set);
    const account =
      typeof input.StackInstanceAccount === "string" ? input.StackInstanceAccount : undefined;
    const region =
      typeof input.StackInstanceRegion === "string" ? input.StackInstanceRegion : undefined;
    const filters = list<{ Name?: string; Values?: string }>(input.Filters);
    const instances = [...set.instances.values()].filter(
      (i) =>
        (account === undefined || i.Account === account) &&
        (region === undefined || i.Region === region) &&
        filters.every((f) =>
          f.Name === "DETAILED_STATUS"
            ? i.StackInstanceStatus.DetailedStatus === f.Values
            : f.Name === "LAST_OPERATION_ID"
              ? i.LastOperationId === f.Values
              : f.Name === "DRIFT_STATUS"
                ? i.DriftStatus === f.Values
                : true,
        ),
    );
    return page(ctx, input, "Summaries", instances);
  },

  async DescribeStackInstance(ctx, input) {
    const { set } = await findStackSet(ctx, input);
    observe(ctx, set);
    const account = text(input.StackInstanceAccount);
    const region = text(input.StackInstanceRegion);
    const instance = set.instances.get(`${account}|${region}`);
    if (instance === undefined)
      throw new AwsError(
        "StackInstanceNotFoundException",
        `Stack instance with account ${account} and region ${region} not found in StackSet ${set.StackSetName}`,
        404,
      );
    return { StackInstance: instance };
  },

  async DeleteStackSet(ctx, input) {
    const { set, owner } = await findStackSet(ctx, input);
    if (runningOperation(set) !== undefined)
      throw new AwsError(
        "OperationInProgressException",
        `Another Operation on StackSet ${set.StackSetARN} is in progress`,
        409,
      );
    if (set.instances.size > 0)
      throw new AwsError("StackSetNotEmptyException", "StackSet is not empty", 409);
    stackSetStore(ctx.state).delete(stackSetKey(owner, ctx.region, set.StackSetName));
    return {};
  },

  async CreateStack(ctx, input) {
    const name = text(input.StackName);
    if (!/^[a-zA-Z][-a-zA-Z0-9]{0,127}$/.test(name))
      throw validationError(
        `1 validation error detected: Value '${name}' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*`,
      );
    const stackId = `arn:aws:cloudformation:${ctx.region}:${ctx.account.id}:stack/${name}/${randomUUID()}`;
    await ctx.authorize("cloudformation:CreateStack", stackId);
    const template = templateOf(input);
    const parameters = parametersOf(input.Parameters);
    const values = resolveParameters(template, parameters);
    checkCapabilities(template, input.Capabilities);
    checkTemplateReferences(template, values);
    if (stackFor(ctx, name) !== undefined)
      throw new AwsError("AlreadyExistsException", `Stack [${name}] already exists`, 400);
    const now = ctx.now();
    const result = deployTemplate(ctx.world, ctx.authorizer, ctx.account, ctx.region, {
      stackName: name,
      stackId,
      template,
      parameters: values,
      now,
    });
    const final = result.ok ? "CREATE_COMPLETE" : "ROLLBACK_COMPLETE";
    const stack: StackItem = {
      StackId: stackId,
      StackName: name,
      ...(template.Description !== undefined ? { Description: template.Description } : {}),
      Parameters: parameters,
      CreationTime: now,
      StackStatus: ctx.knobs.cloudFormationPolls > 0 ? "CREATE_IN_PROGRESS" : final,
      ...(result.ok
        ? {}
        : {
            StackStatusReason: `The following resource(s) failed to create: [${result.logicalId}]. Rollback requested by user.`,
          }),
      Capabilities: list<string>(input.Capabilities).map(String),
      Outputs: result.ok ? result.outputs : [],
      Tags: list<{ Key: string; Value: string }>(input.Tags),
      DisableRollback: false,
      EnableTerminationProtection: input.EnableTerminationProtection === true,
      DriftInformation: { StackDriftStatus: "NOT_CHECKED" },
      Resources: result.resources,
      Events: [],
    };
    stack.Events.push(
      stackEvent(stack, {
        LogicalResourceId: name,
        PhysicalResourceId: stackId,
        ResourceType: "AWS::CloudFormation::Stack",
        Timestamp: now,
        ResourceStatus: "CREATE_IN_PROGRESS",
        ResourceStatusReason: "User Initiated",
      }),
      ...result.resources.map((r) => stackEvent(stack, { ...r })),
    );
    if (!result.ok)
      stack.Events.push(
        stackEvent(stack, {
          LogicalResourceId: result.logicalId,
          ResourceType: result.type,
          Timestamp: now,
          ResourceStatus: "CREATE_FAILED",
          ResourceStatusReason: result.reason,
        }),
      );
    stack.Events.push(
      stackEvent(stack, {
        LogicalResourceId: name,
        PhysicalResourceId: stackId,
        ResourceType: "AWS::CloudFormation::Stack",
        Timestamp: now,
        ResourceStatus: final,
      }),
    );
    if (ctx.knobs.cloudFormationPolls > 0)
      stackPolls.set(stack, { left: ctx.knobs.cloudFormationPolls, final });
    stacksOf(ctx.account, ctx.region).push(stack);
    return { StackId: stackId };
  },

  async DescribeStacks(ctx, input) {
    await ctx.authorize("cloudformation:DescribeStacks", "*");
    const name = typeof input.StackName === "string" ? input.StackName : undefined;
    const stacks =
      name === undefined
        ? stacksOf(ctx.account, ctx.region).filter((s) => s.StackStatus !== "DELETE_COMPLETE")
        : [stackFor(ctx, name)];
    if (stacks[0] === undefined)
      throw validationError(`Stack with id ${name ?? ""} does not exist`);
    for (const stack of stacks as StackItem[]) {
      const polls = stackPolls.get(stack);
      if (polls === undefined) continue;
      if (polls.left > 0) polls.left--;
      else {
        stack.StackStatus = polls.final;
        stackPolls.delete(stack);
      }
    }
    return page(ctx, input, "Stacks", stacks, 100);
  },

  async DescribeStackEvents(ctx, input) {
    await ctx.authorize("cloudformation:DescribeStackEvents", "*");
    const name = text(input.StackName);
    const stack = stackFor(ctx, name);
    if (stack === undefined) throw validationError(`Stack [${name}] does not exist`);
    return page(ctx, input, "StackEvents", [...stack.Events].reverse(), 100);
  },

  async DeleteStack(ctx, input) {
    const name = text(input.StackName);
    const stack = stackFor(ctx, name);
    await ctx.authorize("cloudformation:DeleteStack", stack?.StackId ?? "*");
    // Deleting a stack that does not exist succeeds, as in CloudFormation.
    if (stack === undefined) return {};
    deleteResources(ctx.account, stack.Resources);
    ctx.authorizer.clear();
    const stacks = stacksOf(ctx.account, ctx.region);
    stacks.splice(stacks.indexOf(stack), 1);
    return {};
  },
};
