import {
  ActivateOrganizationsAccessCommand,
  CreateStackInstancesCommand,
  CreateStackSetCommand,
  DescribeStackSetOperationCommand,
  type CloudFormationClient,
} from "@aws-sdk/client-cloudformation";
import type { Principal } from "../access/index.js";
import { recordAuditEvent, type RequestContext } from "../audit/index.js";
import {
  findConnectionById,
  principalArnOf,
  type Actor,
  type ConnectionRecord,
} from "../connections/index.js";
import { Conflict, Invalid, Refused } from "../errors.js";
import { organizationClients } from "./aws-clients.js";
import { awsFailure } from "./aws-failure.js";
import { explainOrganizationError } from "./explain-organization-error.js";
import { memberRoleTemplate } from "./member-template.js";
import type { OrganizationDeps } from "./organization-deps.js";
import { sendOrganizationJob } from "./organization-jobs.js";
import {
  findOrganization,
  findOrganizationById,
  type OrganizationRecord,
} from "./organization-record.js";
import type { Deployment, DeployInput } from "./schemas.js";
import { refreshStackInstances } from "./stack-instances.js";
import { templateContextOf } from "./template-context.js";

/** How long the follow-up waits between two looks at the StackSet operation. */
const FOLLOW_EVERY_SECONDS = 2;

function defaultStackSetName(organization: OrganizationRecord): string {
  return `Switchboard-${organization.name.replace(/_/g, "-")}`;
}

function explainer(organization: OrganizationRecord, management: ConnectionRecord) {
  return (error: unknown) =>
    explainOrganizationError(error, {
      callAs: organization.callAs,
      connectionName: management.name,
      accountId: management.accountId,
      managementAccountId: organization.managementAccountId,
    });
}

/**
 * Refuses to deploy member roles trusting the hub's identity as onboarded when the hub no longer
 * tests as it: someone re-pointed it (a mistake, or an editor aiming it at their own identity), and
 * a deploy must not go ahead on a trust nobody re-checked.
 */
async function assertHubUnchanged(
  deps: OrganizationDeps,
  organization: OrganizationRecord,
): Promise<void> {
  const onboarding = organization.onboarding;
  if (onboarding?.method !== "assume_role") return;
  const stored = onboarding.hubPrincipalArn;
  const hub =
    onboarding.hubConnectionId === null
      ? undefined
      : await findConnectionById(deps.db, onboarding.hubConnectionId).catch(() => undefined);
  const arn = hub?.health?.arn;
  const current = arn == null ? null : principalArnOf(arn);
  if (stored !== null && current === stored) return;
  const fix = `The member roles trust ${stored ?? "no recorded identity"}, the hub's identity when organization ${organization.name} was onboarded: point the hub back at it and test it, or delete and onboard the organization again (an org admin) to trust another identity. Nothing was deployed`;
  if (hub === undefined)
    throw new Conflict(
      `the hub connection of organization ${organization.name} was deleted. ${fix}`,
      {
        field: "hubConnection",
      },
    );
  throw new Conflict(
    `the hub connection ${hub.name} now tests as ${current ?? "nothing (it has not passed a test since it changed)"}. ${fix}`,
    { field: "hubConnection" },
  );
}

/**
 * Deploys the member role by a service-managed StackSet, from a `full` management (or delegated
 * administrator) connection: turns on trusted access (management account only), creates the
 * StackSet (automatic deployment on, CAPABILITY_NAMED_IAM) and its stack instances in the
 * onboarded OUs, in one region. The operation is then followed by jobs on the organization queue,
 * not in this request.
 */
export async function deployStackSet(
  deps: OrganizationDeps,
  context: RequestContext,
  principal: Principal,
  actor: Actor,
  name: string,
  input: DeployInput,
): Promise<Deployment> {
  const organization = await findOrganization(deps.db, principal, name);
  const onboarding = organization.onboarding;
  if (onboarding === null)
    throw new Invalid(`organization ${name} is not onboarded: choose its OUs and role first`);
  if (organization.deployment?.status === "RUNNING")
    throw new Conflict(
      `the StackSet ${organization.deployment.stackSetName} is being deployed (operation ${organization.deployment.operationId ?? "-"}): wait for it to end`,
    );
  const management = await findConnectionById(deps.db, organization.connectionId).catch(() => {
    throw new Invalid(`the connection organization ${name} was read with was deleted`);
  });
  if (management.access !== "full") {
    throw new Refused(
      "ACCESS_REFUSED",
      `connection ${management.name} is ${management.access}: deploying a StackSet needs a full connection. Deploy the template yourself (GET /api/v1/organizations/${name}/template), or make the connection full`,
    );
  }
  await assertHubUnchanged(deps, organization);
  const stackSetName = input.stackSetName ?? defaultStackSetName(organization);
  const template = memberRoleTemplate(
    {
      ...onboarding,
      hubConnection: null,
    },
    await templateContextOf(deps.db, organization, principal.orgName, deps.credentials.oidc.issuer),
  );
  const clients = organizationClients(deps, management, actor);
  const cfn = clients.cloudFormation(input.region);
  const explain = explainer(organization, management);
  const callAs = organization.callAs;
  let operationId: string | undefined;
  try {
    // Trusted access is turned on from the management account only; a delegated administrator
    // relies on it being on (the explained error says how when it is not).
    if (callAs === "SELF") await cfn.send(new ActivateOrganizationsAccessCommand({}));
    try {
      await cfn.send(
        new CreateStackSetCommand({
          StackSetName: stackSetName,
          Description: `Switchboard member role ${onboarding.roleName} for organization ${name}`,
          TemplateBody: JSON.stringify(template),
          PermissionModel: "SERVICE_MANAGED",
          AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
          Capabilities: ["CAPABILITY_NAMED_IAM"],
          CallAs: callAs,
        }),
      );
    } catch (error) {
      // Deploying again after a failed or stopped operation reuses the StackSet.
      if ((error as { name?: string }).name !== "NameAlreadyExistsException") throw error;
    }
    const created = await cfn.send(
      new CreateStackInstancesCommand({
        StackSetName: stackSetName,
        DeploymentTargets: { OrganizationalUnitIds: onboarding.ous },
        Regions: [input.region],
        OperationPreferences: { FailureTolerancePercentage: 100, MaxConcurrentPercentage: 100 },
        CallAs: callAs,
      }),
    );
    operationId = created.OperationId;
  } catch (error) {
    throw awsFailure(explain(error));
  }
  const now = deps.clock.now();
  const deployment: Deployment = {
    stackSetName,
    region: input.region,
    operationId: operationId ?? null,
    status: "RUNNING",
    startedAt: now.toISOString(),
    finishedAt: null,
    error: null,
  };
  await deps.db.transaction().execute(async (tx) => {
    await tx
      .updateTable("organizations")
      .set({ deployment: JSON.stringify(deployment), updated_at: now.toISOString() })
      .where("id", "=", organization.id)
      .execute();
    await recordAuditEvent(
      tx,
      context,
      {
        action: "organization.deploy",
        objectType: "organization",
        objectId: name,
        detail: { stackSetName, region: input.region, ous: onboarding.ous, operationId, callAs },
      },
      now,
    );
  });
  await sendOrganizationJob(
    deps.queue,
    { kind: "follow-deployment", organizationId: organization.id },
    { startAfterSeconds: 1 },
  );
  return deployment;
}

async function operationStatus(
  cfn: CloudFormationClient,
  deployment: Deployment,
  callAs: "SELF" | "DELEGATED_ADMIN",
): Promise<string> {
  if (deployment.operationId === null) return "SUCCEEDED";
  const { StackSetOperation } = await cfn.send(
    new DescribeStackSetOperationCommand({
      StackSetName: deployment.stackSetName,
      OperationId: deployment.operationId,
      CallAs: callAs,
    }),
  );
  return StackSetOperation?.Status ?? "RUNNING";
}

/**
 * One look at the deployment's operation (a job): each account's stack instance status is stored;
 * while the operation runs, the job sends the next look; once it ended, the reconcile follows
 * (it connects and tests the accounts whose role now exists).
 */
export async function followDeployment(
  deps: OrganizationDeps,
  organizationId: string,
): Promise<void> {
  const organization = await findOrganizationById(deps.db, organizationId);
  const deployment = organization?.deployment;
  if (organization === undefined || deployment == null || deployment.status !== "RUNNING") return;
  const management = await findConnectionById(deps.db, organization.connectionId).catch(
    () => undefined,
  );
  const finish = async (status: Deployment["status"], error: Deployment["error"]) => {
    const now = deps.clock.now();
    await deps.db.transaction().execute(async (tx) => {
      await tx
        .updateTable("organizations")
        .set({
          deployment: JSON.stringify({
            ...deployment,
            status,
            finishedAt: now.toISOString(),
            error,
          }),
          updated_at: now.toISOString(),
        })
        .where("id", "=", organization.id)
        .execute();
      await recordAuditEvent(
        tx,
        { orgId: organization.orgId, actor: "reconcile", sourceIp: null, requestId: null },
        {
          action: "organization.deploy.finish",
          objectType: "organization",
          objectId: organization.name,
          outcome: status === "SUCCEEDED" ? "success" : "failure",
          detail: {
            stackSetName: deployment.stackSetName,
            status,
            operationId: deployment.operationId,
          },
        },
        now,
      );
    });
  };
  if (management === undefined) {
    await finish("FAILED", {
      code: "CONNECTION_DELETED",
      message: "the organization's connection was deleted while its StackSet was deploying",
      fix: "create the organization again from a connection into its management account",
    });
    return;
  }
  const actor: Actor = {
    orgId: organization.orgId,
    orgName: "",
    userName: "reconcile",
    requestId: `deploy-${organization.id}`,
    sourceIp: null,
  };
  const cfn = organizationClients(deps, management, actor).cloudFormation(deployment.region);
  let status: string;
  try {
    status = await operationStatus(cfn, deployment, organization.callAs);
    await refreshStackInstances(
      deps.db,
      cfn,
      organization.id,
      deployment.stackSetName,
      organization.callAs,
      deps.clock.now(),
    );
  } catch (error) {
    await finish("FAILED", explainer(organization, management)(error));
    return;
  }
  if (status === "RUNNING" || status === "QUEUED" || status === "STOPPING") {
    await sendOrganizationJob(
      deps.queue,
      { kind: "follow-deployment", organizationId: organization.id },
      { startAfterSeconds: FOLLOW_EVERY_SECONDS },
    );
    return;
  }
  await finish(
    status === "SUCCEEDED" ? "SUCCEEDED" : status === "STOPPED" ? "STOPPED" : "FAILED",
    status === "SUCCEEDED"
      ? null
      : {
          code: `OPERATION_${status}`,
          message: `the StackSet operation ${deployment.operationId ?? ""} ended ${status}`,
          fix: "see each account's stack instance status and reason, fix what they name, then deploy again",
        },
  );
  await sendOrganizationJob(deps.queue, { kind: "reconcile", organizationId: organization.id });
}
