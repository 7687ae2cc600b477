import { AwsError } from "../aws-error.js";
import { paginate } from "../model/paginate.js";
import type { Shape } from "../model/service-model.js";
import {
  accountPath,
  accountStatus,
  isParent,
  type OrgAccount,
  type Organization,
  type OrgUnit,
} from "../world/organization.js";
import type { CallContext, OperationHandler, ServiceHandlers } from "./call-context.js";
import { text } from "./input-text.js";
import { policyHandlers } from "./organizations-policies.js";

// Organizations pages hold at most 20 items, and 20 unless asked for fewer.
const MAX_PAGE = 20;

function notInUse(): AwsError {
  return new AwsError(
    "AWSOrganizationsNotInUseException",
    "Your account is not a member of an organization.",
    400,
  );
}

function noPermission(): AwsError {
  return new AwsError(
    "AccessDeniedException",
    "You don't have permissions to access this resource.",
  );
}

function invalidInput(reason: string, message: string): AwsError {
  return new AwsError("InvalidInputException", message, 400, "Sender", {
    members: { Reason: reason },
  });
}

const STRING: Shape = { type: "string", members: {} };
const STRING_LIST: Shape = { type: "list", members: {}, member: STRING };

const patched = new WeakSet<object>();

/**
 * The aws-sdk v2 models this emulator reads predate the account `State` (and `Paths`) that
 * Organizations returns since 2025 and the v3 SDK parses: they are added, once per model, to
 * every account-shaped output structure, so the serializer emits them as AWS does.
 */
function addNewerMembers(ctx: CallContext): void {
  if (patched.has(ctx.model)) return;
  patched.add(ctx.model);
  const seen = new Set<Shape>();
  const visit = (shape: Shape | undefined): void => {
    if (shape === undefined || seen.has(shape)) return;
    seen.add(shape);
    const m = shape.members;
    if (m.JoinedMethod !== undefined && m.Status !== undefined && m.State === undefined) {
      m.State = STRING;
      if (m.DelegationEnabledDate === undefined) m.Paths = STRING_LIST;
    }
    Object.values(m).forEach(visit);
    visit(shape.member);
  };
  for (const operation of ctx.model.operations.values()) visit(operation.output);
}

type Access = "any-member" | "read" | "management";

/**
 * IAM first, then the organization: who may call depends on the caller's place in it. Read
 * operations are for the management account and delegated administrators of any service; other
 * members may only describe the organization; writes are the management account's.
 */
async function organizationFor(
  ctx: CallContext,
  access: Access,
  resource = "*",
): Promise<Organization> {
  addNewerMembers(ctx);
  await ctx.authorize(`organizations:${ctx.operation.name}`, resource);
  const org = ctx.world.organization;
  const caller = ctx.account.id;
  if (org === undefined || !org.accounts.has(caller)) throw notInUse();
  if (caller === org.managementAccountId || access === "any-member") return org;
  if (access === "read" && org.delegatedAdministrators.has(caller)) return org;
  throw noPermission();
}

/** One page of `items`, each shaped by `shape` (only the page's: an organization may be large). */
function pageOf<T>(
  ctx: CallContext,
  input: Record<string, unknown>,
  resultKey: string,
  items: T[],
  shape: (item: T) => unknown = (item) => item,
): Record<string, unknown> {
  const requested = input.MaxResults;
  if (requested !== undefined) {
    if (typeof requested !== "number" || !Number.isInteger(requested) || requested < 1)
      throw invalidInput("MIN_VALUE_EXCEEDED", "You provided a value that is too small.");
    if (requested > MAX_PAGE)
      throw invalidInput(
        "MAX_VALUE_EXCEEDED",
        `You provided a value that is too large. MaxResults must be between 1 and ${MAX_PAGE}.`,
      );
  }
  let result;
  try {
    result = paginate(ctx.model, ctx.operation, input, items, { defaultPageSize: MAX_PAGE });
  } catch {
    throw invalidInput("INVALID_NEXT_TOKEN", "The provided NextToken is not valid.");
  }
  const output: Record<string, unknown> = { [resultKey]: (result.page as T[]).map(shape) };
  if (result.nextToken !== undefined) output.NextToken = result.nextToken;
  return output;
}

function accountOutput(org: Organization, a: OrgAccount): Record<string, unknown> {
  return {
    Id: a.id,
    Arn: a.arn,
    Email: a.email,
    Name: a.name,
    Status: accountStatus(a.state),
    State: a.state,
    Paths: [accountPath(org, a)],
    JoinedMethod: a.joinedMethod,
    JoinedTimestamp: a.joinedTimestamp,
  };
}

function unitOutput(u: OrgUnit): Record<string, unknown> {
  return { Id: u.id, Arn: u.arn, Name: u.name };
}

function parentNotFound(): AwsError {
  return new AwsError(
    "ParentNotFoundException",
    "We can't find a root or OU with the ParentId that you specified.",
  );
}

function requireParent(org: Organization, parentId: string): void {
  if (!/^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/.test(parentId))
    throw invalidInput(
      "INVALID_PATTERN",
      "You specified a value that is not valid for ParentId. It must be a root id or an OU id.",
    );
  if (!isParent(org, parentId)) throw parentNotFound();
}

// Service principals AWS Organizations knows for trusted access and delegated administration
// (a sample of AWS's list: the services an automation hub meets).
const SERVICE_PRINCIPALS = new Set([
  "access-analyzer.amazonaws.com",
  "account.amazonaws.com",
  "auditmanager.amazonaws.com",
  "backup.amazonaws.com",
  "cloudtrail.amazonaws.com",
  "compute-optimizer.amazonaws.com",
  "config.amazonaws.com",
  "config-multiaccountsetup.amazonaws.com",
  "controltower.amazonaws.com",
  "cost-optimization-hub.bcm.amazonaws.com",
  "detective.amazonaws.com",
  "ds.amazonaws.com",
  "fms.amazonaws.com",
  "guardduty.amazonaws.com",
  "health.amazonaws.com",
  "iam.amazonaws.com",
  "inspector2.amazonaws.com",
  "ipam.amazonaws.com",
  "license-manager.amazonaws.com",
  "macie.amazonaws.com",
  "malware-protection.guardduty.amazonaws.com",
  "member.org.stacksets.cloudformation.amazonaws.com",
  "ram.amazonaws.com",
  "reporting.trustedadvisor.amazonaws.com",
  "securityhub.amazonaws.com",
  "securitylake.amazonaws.com",
  "servicecatalog.amazonaws.com",
  "ssm.amazonaws.com",
  "sso.amazonaws.com",
  "storage-lens.s3.amazonaws.com",
  "tagpolicies.tag.amazonaws.com",
]);

function requirePrincipal(principal: string): void {
  if (!SERVICE_PRINCIPALS.has(principal))
    throw invalidInput(
      "UNRECOGNIZED_SERVICE_PRINCIPAL",
      "You specified an unrecognized service principal.",
    );
}

function accountNotFound(): AwsError {
  return new AwsError("AccountNotFoundException", "You specified an account that doesn't exist.");
}

function requireAccountId(value: string): void {
  if (!/^\d{12}$/.test(value))
    throw invalidInput(
      "INVALID_PATTERN",
      "You specified a value that is not valid for AccountId. It must be 12 digits.",
    );
}

const listAccountsForParent: OperationHandler = async (ctx, input) => {
  const org = await organizationFor(ctx, "read");
  const parentId = text(input.ParentId);
  requireParent(org, parentId);
  const accounts = [...org.accounts.values()].filter((a) => a.parentId === parentId);
  return pageOf(ctx, input, "Accounts", accounts, (a) => accountOutput(org, a));
};

export const organizationsService: ServiceHandlers = {
  ...policyHandlers({ organizationFor, pageOf, invalidInput }),

  async DescribeOrganization(ctx) {
    const org = await organizationFor(ctx, "any-member");
    return {
      Organization: {
        Id: org.id,
        Arn: org.arn,
        FeatureSet: org.featureSet,
        MasterAccountArn: org.accounts.get(org.managementAccountId)?.arn,
        MasterAccountId: org.managementAccountId,
        MasterAccountEmail: org.managementEmail,
        AvailablePolicyTypes: [{ Type: "SERVICE_CONTROL_POLICY", Status: "ENABLED" }],
      },
    };
  },

  async ListRoots(ctx, input) {
    const org = await organizationFor(ctx, "read");
    return pageOf(ctx, input, "Roots", [
      {
        Id: org.rootId,
        Arn: org.rootArn,
        Name: "Root",
        PolicyTypes: org.scp.enabled ? [{ Type: "SERVICE_CONTROL_POLICY", Status: "ENABLED" }] : [],
      },
    ]);
  },

  async ListAccounts(ctx, input) {
    const org = await organizationFor(ctx, "read");
    return pageOf(ctx, input, "Accounts", [...org.accounts.values()], (a) => accountOutput(org, a));
  },

  ListAccountsForParent: listAccountsForParent,

  async ListOrganizationalUnitsForParent(ctx, input) {
    const org = await organizationFor(ctx, "read");
    const parentId = text(input.ParentId);
    requireParent(org, parentId);
    const units = [...org.units.values()].filter((u) => u.parentId === parentId).map(unitOutput);
    return pageOf(ctx, input, "OrganizationalUnits", units);
  },

  async ListChildren(ctx, input) {
    const org = await organizationFor(ctx, "read");
    const parentId = text(input.ParentId);
    const childType = text(input.ChildType);
    if (childType !== "ACCOUNT" && childType !== "ORGANIZATIONAL_UNIT")
      throw invalidInput(
        "INVALID_ENUM",
        "You specified an invalid value for ChildType. It must be ACCOUNT or ORGANIZATIONAL_UNIT.",
      );
    requireParent(org, parentId);
    const children =
      childType === "ACCOUNT"
        ? [...org.accounts.values()].filter((a) => a.parentId === parentId)
        : [...org.units.values()].filter((u) => u.parentId === parentId);
    return pageOf(
      ctx,
      input,
      "Children",
      children.map((c) => ({ Id: c.id, Type: childType })),
    );
  },

  async ListParents(ctx, input) {
    const org = await organizationFor(ctx, "read");
    const childId = text(input.ChildId);
    const parentId = org.accounts.get(childId)?.parentId ?? org.units.get(childId)?.parentId;
    if (parentId === undefined)
      throw new AwsError(
        "ChildNotFoundException",
        "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.",
      );
    return pageOf(ctx, input, "Parents", [
      { Id: parentId, Type: parentId === org.rootId ? "ROOT" : "ORGANIZATIONAL_UNIT" },
    ]);
  },

  async DescribeAccount(ctx, input) {
    const accountId = text(input.AccountId);
    requireAccountId(accountId);
    const org = await organizationFor(ctx, "read");
    const account = org.accounts.get(accountId);
    if (account === undefined) throw accountNotFound();
    return { Account: accountOutput(org, account) };
  },

  async DescribeOrganizationalUnit(ctx, input) {
    const org = await organizationFor(ctx, "read");
    const unit = org.units.get(text(input.OrganizationalUnitId));
    if (unit === undefined)
      throw new AwsError(
        "OrganizationalUnitNotFoundException",
        "We can't find an organizational unit (OU) with the OrganizationalUnitId that you specified.",
      );
    return { OrganizationalUnit: unitOutput(unit) };
  },

  async ListAWSServiceAccessForOrganization(ctx, input) {
    const org = await organizationFor(ctx, "read");
    const enabled = [...org.trustedServices].map(([ServicePrincipal, DateEnabled]) => ({
      ServicePrincipal,
      DateEnabled,
    }));
    return pageOf(ctx, input, "EnabledServicePrincipals", enabled);
  },

  async EnableAWSServiceAccess(ctx, input) {
    const org = await organizationFor(ctx, "management");
    const principal = text(input.ServicePrincipal);
    requirePrincipal(principal);
    if (!org.trustedServices.has(principal)) org.trustedServices.set(principal, ctx.now());
    return {};
  },

  async DisableAWSServiceAccess(ctx, input) {
    const org = await organizationFor(ctx, "management");
    org.trustedServices.delete(text(input.ServicePrincipal));
    return {};
  },

  async ListDelegatedAdministrators(ctx, input) {
    const org = await organizationFor(ctx, "read");
    const service = typeof input.ServicePrincipal === "string" ? input.ServicePrincipal : undefined;
    const admins = [...org.delegatedAdministrators]
      .filter(([, services]) => service === undefined || services.has(service))
      .flatMap(([accountId, services]) => {
        const account = org.accounts.get(accountId);
        if (account === undefined) return [];
        const dates = service === undefined ? [...services.values()] : [services.get(service)];
        const first = Math.min(...dates.map((d) => d?.getTime() ?? Infinity));
        return [{ ...accountOutput(org, account), DelegationEnabledDate: new Date(first) }];
      });
    return pageOf(ctx, input, "DelegatedAdministrators", admins);
  },

  async ListDelegatedServicesForAccount(ctx, input) {
    const accountId = text(input.AccountId);
    requireAccountId(accountId);
    const org = await organizationFor(ctx, "read");
    if (!org.accounts.has(accountId)) throw accountNotFound();
    const services = org.delegatedAdministrators.get(accountId);
    if (services === undefined)
      throw new AwsError(
        "AccountNotRegisteredException",
        "The provided account is not a registered delegated administrator for your organization.",
      );
    return pageOf(
      ctx,
      input,
      "DelegatedServices",
      [...services].map(([ServicePrincipal, DelegationEnabledDate]) => ({
        ServicePrincipal,
        DelegationEnabledDate,
      })),
    );
  },

  async RegisterDelegatedAdministrator(ctx, input) {
    const accountId = text(input.AccountId);
    requireAccountId(accountId);
    const principal = text(input.ServicePrincipal);
    const org = await organizationFor(ctx, "management");
    requirePrincipal(principal);
    if (!org.accounts.has(accountId)) throw accountNotFound();
    if (accountId === org.managementAccountId)
      throw new AwsError(
        "ConstraintViolationException",
        "You cannot register the management account of the organization as a delegated administrator for an AWS service.",
        400,
        "Sender",
        { members: { Reason: "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR" } },
      );
    const services = org.delegatedAdministrators.get(accountId) ?? new Map<string, Date>();
    if (services.has(principal))
      throw new AwsError(
        "AccountAlreadyRegisteredException",
        "The provided account is already a delegated administrator for your organization.",
      );
    services.set(principal, ctx.now());
    org.delegatedAdministrators.set(accountId, services);
    return {};
  },

  async DeregisterDelegatedAdministrator(ctx, input) {
    const accountId = text(input.AccountId);
    requireAccountId(accountId);
    const org = await organizationFor(ctx, "management");
    if (!org.accounts.has(accountId)) throw accountNotFound();
    const services = org.delegatedAdministrators.get(accountId);
    if (services?.delete(text(input.ServicePrincipal)) !== true)
      throw new AwsError(
        "AccountNotRegisteredException",
        "The provided account is not a registered delegated administrator for your organization.",
      );
    if (services.size === 0) org.delegatedAdministrators.delete(accountId);
    return {};
  },
};
