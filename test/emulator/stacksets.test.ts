import {
  ActivateOrganizationsAccessCommand,
  CloudFormationClient,
  CreateStackCommand,
  CreateStackInstancesCommand,
  CreateStackSetCommand,
  DeleteStackInstancesCommand,
  DeleteStackSetCommand,
  DescribeOrganizationsAccessCommand,
  DescribeStackEventsCommand,
  DescribeStackInstanceCommand,
  DescribeStacksCommand,
  DescribeStackSetCommand,
  DescribeStackSetOperationCommand,
  ListStackInstancesCommand,
  ListStackSetOperationResultsCommand,
  ListStackSetOperationsCommand,
  paginateListStackInstances,
  type StackInstanceSummary,
} from "@aws-sdk/client-cloudformation";
import {
  AssumeRoleCommand,
  AssumeRoleWithWebIdentityCommand,
  GetCallerIdentityCommand,
  STSClient,
} from "@aws-sdk/client-sts";
import { afterEach, describe, expect, it } from "vitest";
import { startEmulator, type Emulator, type WorldInput } from "../../emulator/index.js";
import { organizationControl } from "../../emulator/organization-control.js";
import {
  memberAccountId,
  ORGANIZATION_ADMIN_KEY,
  organizationWorld,
} from "../../emulator/worlds/organization-world.js";
import { startTestIssuer } from "./test-issuer.js";

const MANAGEMENT = "111111111111";
const EXTERNAL_ID = "sb-org-7f3a9c";
const STACKSETS = "member.org.stacksets.cloudformation.amazonaws.com";
const HUB_KEY = {
  accessKeyId: "AKIAORGHUBUSER000001",
  secretAccessKey: "organization-hub-secret-00000000000",
};
const DELEGATE_KEY = {
  accessKeyId: "AKIAORGDELEGATEUSER1",
  secretAccessKey: "organization-delegate-secret-000000",
};
const OUTSIDER_KEY = {
  accessKeyId: "AKIAORGOUTSIDERUSER1",
  secretAccessKey: "organization-outsider-secret-000000",
};
const DELEGATE = memberAccountId({}, 0);
const OUTSIDER = memberAccountId({}, 1);

/** The member role a StackSet creates: trusts the hub user with the onboarding's ExternalId. */
const TEMPLATE = `AWSTemplateFormatVersion: "2010-09-09"
Description: Switchboard member role
Parameters:
  RoleName:
    Type: String
    Default: switchboard-member
Resources:
  MemberRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Ref RoleName
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: { AWS: !Sub "arn:\${AWS::Partition}:iam::${MANAGEMENT}:user/hub" }
            Action: sts:AssumeRole
            Condition: { StringEquals: { "sts:ExternalId": "${EXTERNAL_ID}" } }
      ManagedPolicyArns: [arn:aws:iam::aws:policy/ReadOnlyAccess]
Outputs:
  RoleArn:
    Value: !GetAtt MemberRole.Arn
`;

function user(name: string, key: typeof HUB_KEY, policies: unknown[]) {
  return {
    name,
    accessKeys: [{ id: key.accessKeyId, secret: key.secretAccessKey }],
    policies: policies as string[],
  };
}

/** 10 members in 3 OUs (the last one suspended); the hub user may assume any role. */
function world(options: { trustedAccess?: boolean; delegate?: boolean } = {}): WorldInput {
  const input = organizationWorld({
    accounts: 10,
    suspended: 1,
    trustedAccess: options.trustedAccess ?? true,
    management: {
      users: [
        user("admin", ORGANIZATION_ADMIN_KEY, ["arn:aws:iam::aws:policy/AdministratorAccess"]),
        user("hub", HUB_KEY, [
          {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }],
          },
        ]),
      ],
    },
  });
  for (const [id, key] of [
    [DELEGATE, DELEGATE_KEY],
    [OUTSIDER, OUTSIDER_KEY],
  ] as const) {
    const account = input.accounts.find((a) => a.id === id);
    if (account !== undefined)
      account.users = [user("admin", key, ["arn:aws:iam::aws:policy/AdministratorAccess"])];
  }
  if (options.delegate === true && input.organization !== undefined)
    input.organization.delegatedAdministrators = [
      { account: DELEGATE, servicePrincipal: STACKSETS },
    ];
  return input;
}

function cloudFormation(emulator: Emulator, key = ORGANIZATION_ADMIN_KEY) {
  return new CloudFormationClient({
    endpoint: emulator.url,
    region: "us-east-1",
    credentials: key,
  });
}

function assumeMember(emulator: Emulator, accountId: string, externalId = EXTERNAL_ID) {
  return new STSClient({ endpoint: emulator.url, region: "us-east-1", credentials: HUB_KEY }).send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${accountId}:role/switchboard-member`,
      RoleSessionName: "switchboard-test",
      ExternalId: externalId,
    }),
  );
}

async function ouIds(emulator: Emulator): Promise<Record<string, string>> {
  const tree = await organizationControl.tree(emulator.url);
  return Object.fromEntries(tree.OrganizationalUnits.map((u) => [u.Name, u.Id]));
}

async function createMemberStackSet(cfn: CloudFormationClient, callAs?: "DELEGATED_ADMIN") {
  return cfn.send(
    new CreateStackSetCommand({
      StackSetName: "switchboard-member",
      TemplateBody: TEMPLATE,
      PermissionModel: "SERVICE_MANAGED",
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      Capabilities: ["CAPABILITY_NAMED_IAM"],
      ...(callAs !== undefined ? { CallAs: callAs } : {}),
    }),
  );
}

/** Polls the operation as a client does, returning every status seen. */
async function follow(cfn: CloudFormationClient, operationId: string, callAs?: "DELEGATED_ADMIN") {
  const seen: string[] = [];
  for (let i = 0; i < 10; i++) {
    const { StackSetOperation } = await cfn.send(
      new DescribeStackSetOperationCommand({
        StackSetName: "switchboard-member",
        OperationId: operationId,
        ...(callAs !== undefined ? { CallAs: callAs } : {}),
      }),
    );
    seen.push(StackSetOperation?.Status ?? "");
    if (StackSetOperation?.Status !== "RUNNING") break;
  }
  return seen;
}

async function allInstances(cfn: CloudFormationClient): Promise<StackInstanceSummary[]> {
  const all: StackInstanceSummary[] = [];
  for await (const page of paginateListStackInstances(
    { client: cfn, pageSize: 4 },
    { StackSetName: "switchboard-member" },
  ))
    all.push(...(page.Summaries ?? []));
  return all;
}

describe("CloudFormation StackSets on the organization", () => {
  let emulator: Emulator;
  afterEach(() => emulator.close());

  it("refuses a service-managed stack set until trusted access is activated", async () => {
    emulator = await startEmulator({ world: world({ trustedAccess: false }) });
    const cfn = cloudFormation(emulator);
    expect((await cfn.send(new DescribeOrganizationsAccessCommand({}))).Status).toBe("DISABLED");
    await expect(createMemberStackSet(cfn)).rejects.toMatchObject({
      name: "ValidationError",
      message: "You must enable organizations access to operate a service managed stack set",
    });
    await cfn.send(new ActivateOrganizationsAccessCommand({}));
    expect((await cfn.send(new DescribeOrganizationsAccessCommand({}))).Status).toBe("ENABLED");
    expect((await createMemberStackSet(cfn)).StackSetId).toMatch(
      /^switchboard-member:[0-9a-f-]{36}$/,
    );
  });

  it("refuses a template creating a named role without CAPABILITY_NAMED_IAM", async () => {
    emulator = await startEmulator({ world: world() });
    await expect(
      cloudFormation(emulator).send(
        new CreateStackSetCommand({
          StackSetName: "switchboard-member",
          TemplateBody: TEMPLATE,
          PermissionModel: "SERVICE_MANAGED",
          Capabilities: ["CAPABILITY_IAM"],
        }),
      ),
    ).rejects.toMatchObject({
      name: "InsufficientCapabilitiesException",
      message: "Requires capabilities : [CAPABILITY_NAMED_IAM]",
    });
  });

  it("deploys the role to every member of the target OUs, skipping the suspended one and the management account", async () => {
    emulator = await startEmulator({ world: world() });
    const cfn = cloudFormation(emulator);
    await createMemberStackSet(cfn);
    const ous = await ouIds(emulator);
    const { OperationId } = await cfn.send(
      new CreateStackInstancesCommand({
        StackSetName: "switchboard-member",
        DeploymentTargets: { OrganizationalUnitIds: Object.values(ous) },
        Regions: ["us-east-1"],
        OperationPreferences: { FailureToleranceCount: 0, MaxConcurrentCount: 10 },
      }),
    );
    expect(await follow(cfn, OperationId ?? "")).toEqual(["RUNNING", "SUCCEEDED"]);

    const instances = await allInstances(cfn);
    expect(instances).toHaveLength(10);
    expect(instances.some((i) => i.Account === MANAGEMENT)).toBe(false);
    const suspended = memberAccountId({}, 9);
    for (const instance of instances) {
      expect(instance.OrganizationalUnitId).toMatch(/^ou-/);
      expect([instance.Status, instance.StackInstanceStatus?.DetailedStatus]).toEqual(
        instance.Account === suspended
          ? ["OUTDATED", "SKIPPED_SUSPENDED_ACCOUNT"]
          : ["CURRENT", "SUCCEEDED"],
      );
    }

    const assumed = await assumeMember(emulator, memberAccountId({}, 4));
    const session = new STSClient({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials: {
        accessKeyId: assumed.Credentials?.AccessKeyId ?? "",
        secretAccessKey: assumed.Credentials?.SecretAccessKey ?? "",
        sessionToken: assumed.Credentials?.SessionToken ?? "",
      },
    });
    expect((await session.send(new GetCallerIdentityCommand({}))).Arn).toBe(
      `arn:aws:sts::${memberAccountId({}, 4)}:assumed-role/switchboard-member/switchboard-test`,
    );
    await expect(assumeMember(emulator, memberAccountId({}, 4), "wrong")).rejects.toMatchObject({
      name: "AccessDenied",
    });
    await expect(assumeMember(emulator, suspended)).rejects.toMatchObject({ name: "AccessDenied" });
    await expect(assumeMember(emulator, MANAGEMENT)).rejects.toMatchObject({
      name: "AccessDenied",
    });

    const { StackInstance } = await cfn.send(
      new DescribeStackInstanceCommand({
        StackSetName: "switchboard-member",
        StackInstanceAccount: memberAccountId({}, 4),
        StackInstanceRegion: "us-east-1",
      }),
    );
    expect(StackInstance?.StackId).toMatch(
      new RegExp(
        `^arn:aws:cloudformation:us-east-1:${memberAccountId({}, 4)}:stack/StackSet-switchboard-member-`,
      ),
    );
    const results = await cfn.send(
      new ListStackSetOperationResultsCommand({
        StackSetName: "switchboard-member",
        OperationId,
      }),
    );
    expect(results.Summaries?.filter((r) => r.Status === "SUCCEEDED")).toHaveLength(10);
    const { Summaries } = await cfn.send(
      new ListStackSetOperationsCommand({ StackSetName: "switchboard-member" }),
    );
    expect(Summaries?.map((s) => [s.Action, s.Status])).toEqual([["CREATE", "SUCCEEDED"]]);
    const { StackSet } = await cfn.send(
      new DescribeStackSetCommand({ StackSetName: "switchboard-member" }),
    );
    expect(StackSet).toMatchObject({
      PermissionModel: "SERVICE_MANAGED",
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      Regions: ["us-east-1"],
      Capabilities: ["CAPABILITY_NAMED_IAM"],
    });
    expect(StackSet?.OrganizationalUnitIds?.sort()).toEqual(Object.values(ous).sort());
  });

  it("gives an account that joins a target OU later the role by itself, and takes it back when it leaves", async () => {
    emulator = await startEmulator({ world: world({}), knobs: { cloudFormationPolls: 0 } });
    const cfn = cloudFormation(emulator);
    await createMemberStackSet(cfn);
    const ous = await ouIds(emulator);
    await cfn.send(
      new CreateStackInstancesCommand({
        StackSetName: "switchboard-member",
        DeploymentTargets: { OrganizationalUnitIds: [ous.Staging ?? ""] },
        Regions: ["us-east-1"],
      }),
    );
    const newcomer = "300000000001";
    await organizationControl.join(emulator.url, {
      id: newcomer,
      name: "newcomer",
      parent: "Staging",
    });
    expect((await assumeMember(emulator, newcomer)).Credentials?.AccessKeyId).toBeDefined();
    const instances = (await allInstances(cfn)).filter((i) => i.Account === newcomer);
    expect(instances.map((i) => [i.Region, i.Status])).toEqual([["us-east-1", "CURRENT"]]);
    const { Summaries } = await cfn.send(
      new ListStackSetOperationsCommand({ StackSetName: "switchboard-member" }),
    );
    expect(Summaries?.length).toBe(2);

    // An account joining an OU the stack set does not target gets nothing.
    await organizationControl.join(emulator.url, {
      id: "300000000002",
      name: "elsewhere",
      parent: "Sandbox",
    });
    await expect(assumeMember(emulator, "300000000002")).rejects.toMatchObject({
      name: "AccessDenied",
    });

    // A suspended account keeps its role, but AWS lets no one assume it.
    await organizationControl.setState(emulator.url, newcomer, "SUSPENDED");
    await expect(assumeMember(emulator, newcomer)).rejects.toMatchObject({
      name: "AccessDenied",
      message: `User: arn:aws:iam::${MANAGEMENT}:user/hub is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${newcomer}:role/switchboard-member`,
    });
    await organizationControl.setState(emulator.url, newcomer, "ACTIVE");
    expect((await assumeMember(emulator, newcomer)).Credentials).toBeDefined();

    await organizationControl.leave(emulator.url, newcomer);
    await expect(assumeMember(emulator, newcomer)).rejects.toMatchObject({ name: "AccessDenied" });
    expect((await allInstances(cfn)).some((i) => i.Account === newcomer)).toBe(false);
  });

  it("lets a registered delegated administrator operate the organization's stack set with CallAs DELEGATED_ADMIN only", async () => {
    emulator = await startEmulator({
      world: world({ delegate: true }),
      knobs: { cloudFormationPolls: 0 },
    });
    const outsider = cloudFormation(emulator, OUTSIDER_KEY);
    const delegate = cloudFormation(emulator, DELEGATE_KEY);
    const refused = {
      name: "ValidationError",
      message:
        "You must be the management account or delegated admin account of an organization before operating a SERVICE_MANAGED stack set",
    };
    await expect(createMemberStackSet(outsider, "DELEGATED_ADMIN")).rejects.toMatchObject(refused);
    await expect(createMemberStackSet(delegate)).rejects.toMatchObject(refused);
    await createMemberStackSet(delegate, "DELEGATED_ADMIN");
    const ous = await ouIds(emulator);
    const { OperationId } = await delegate.send(
      new CreateStackInstancesCommand({
        StackSetName: "switchboard-member",
        DeploymentTargets: { OrganizationalUnitIds: [ous.Production ?? ""] },
        Regions: ["us-east-1"],
        CallAs: "DELEGATED_ADMIN",
      }),
    );
    expect(await follow(delegate, OperationId ?? "", "DELEGATED_ADMIN")).toEqual(["SUCCEEDED"]);
    // Stack sets of delegated administrators live in the management account.
    const { StackSet } = await cloudFormation(emulator).send(
      new DescribeStackSetCommand({ StackSetName: "switchboard-member" }),
    );
    expect(StackSet?.StackSetARN).toMatch(
      /^arn:aws:cloudformation:us-east-1:111111111111:stackset\//,
    );
    await expect(
      delegate.send(new DescribeStackSetCommand({ StackSetName: "switchboard-member" })),
    ).rejects.toMatchObject({ name: "StackSetNotFoundException" });
    expect((await assumeMember(emulator, memberAccountId({}, 3))).Credentials).toBeDefined();
  });

  it("records a failed instance with CloudFormation's reason, then deletes instances and the stack set", async () => {
    const input = world();
    const clash = input.accounts.find((a) => a.id === memberAccountId({}, 2));
    if (clash !== undefined)
      clash.roles = [
        {
          name: "switchboard-member",
          trust: {
            Version: "2012-10-17",
            Statement: [
              { Effect: "Allow", Principal: { AWS: MANAGEMENT }, Action: "sts:AssumeRole" },
            ],
          },
        },
      ];
    emulator = await startEmulator({ world: input, knobs: { cloudFormationPolls: 0 } });
    const cfn = cloudFormation(emulator);
    await createMemberStackSet(cfn);
    const ous = await ouIds(emulator);
    const { OperationId } = await cfn.send(
      new CreateStackInstancesCommand({
        StackSetName: "switchboard-member",
        DeploymentTargets: { OrganizationalUnitIds: [ous.Sandbox ?? ""] },
        Regions: ["us-east-1"],
        OperationPreferences: { FailureToleranceCount: 5 },
      }),
    );
    expect(await follow(cfn, OperationId ?? "")).toEqual(["SUCCEEDED"]);
    const failed = await cfn.send(
      new ListStackInstancesCommand({
        StackSetName: "switchboard-member",
        Filters: [{ Name: "DETAILED_STATUS", Values: "FAILED" }],
      }),
    );
    expect(failed.Summaries?.map((s) => s.Account)).toEqual([memberAccountId({}, 2)]);
    expect(failed.Summaries?.[0]?.StatusReason).toContain(
      "ResourceLogicalId:MemberRole, ResourceType:AWS::IAM::Role, ResourceStatusReason:Resource of type 'AWS::IAM::Role' with identifier 'switchboard-member' already exists.",
    );

    await expect(
      cfn.send(new DeleteStackSetCommand({ StackSetName: "switchboard-member" })),
    ).rejects.toMatchObject({ name: "StackSetNotEmptyException" });
    const deleted = await cfn.send(
      new DeleteStackInstancesCommand({
        StackSetName: "switchboard-member",
        DeploymentTargets: { OrganizationalUnitIds: [ous.Sandbox ?? ""] },
        Regions: ["us-east-1"],
        RetainStacks: false,
      }),
    );
    expect(await follow(cfn, deleted.OperationId ?? "")).toEqual(["SUCCEEDED"]);
    await expect(assumeMember(emulator, memberAccountId({}, 5))).rejects.toMatchObject({
      name: "AccessDenied",
    });
    expect(await allInstances(cfn)).toEqual([]);
    await cfn.send(new DeleteStackSetCommand({ StackSetName: "switchboard-member" }));
    await expect(
      cfn.send(new DescribeStackSetCommand({ StackSetName: "switchboard-member" })),
    ).rejects.toMatchObject({
      name: "StackSetNotFoundException",
      message: "StackSet switchboard-member not found",
    });
  });
});

describe("CloudFormation StackSets: operations", () => {
  let emulator: Emulator;
  afterEach(() => emulator.close());

  it("refuses a second operation while one runs, and cancels the rest once failures pass the tolerance", async () => {
    const input = world();
    // Two members of Production (indexes 0, 3, 6 and 9 are there) already have the role.
    for (const index of [0, 3]) {
      const account = input.accounts.find((a) => a.id === memberAccountId({}, index));
      if (account !== undefined)
        account.roles = [
          {
            name: "switchboard-member",
            trust: {
              Version: "2012-10-17",
              Statement: [
                { Effect: "Allow", Principal: { AWS: MANAGEMENT }, Action: "sts:AssumeRole" },
              ],
            },
          },
        ];
    }
    emulator = await startEmulator({ world: input, knobs: { cloudFormationPolls: 1 } });
    const cfn = cloudFormation(emulator);
    await createMemberStackSet(cfn);
    const ous = await ouIds(emulator);
    const create = () =>
      cfn.send(
        new CreateStackInstancesCommand({
          StackSetName: "switchboard-member",
          DeploymentTargets: { OrganizationalUnitIds: [ous.Production ?? ""] },
          Regions: ["us-east-1"],
          OperationPreferences: { FailureToleranceCount: 0 },
        }),
      );
    const { OperationId } = await create();
    await expect(create()).rejects.toMatchObject({ name: "OperationInProgressException" });
    expect(await follow(cfn, OperationId ?? "")).toEqual(["RUNNING", "FAILED"]);
    const { Summaries } = await cfn.send(
      new ListStackSetOperationResultsCommand({ StackSetName: "switchboard-member", OperationId }),
    );
    expect(Summaries?.map((r) => [r.Account, r.Status])).toEqual([
      [memberAccountId({}, 0), "FAILED"],
      [memberAccountId({}, 3), "CANCELLED"],
      [memberAccountId({}, 6), "CANCELLED"],
      [memberAccountId({}, 9), "CANCELLED"],
    ]);
    const { StackSetOperation } = await cfn.send(
      new DescribeStackSetOperationCommand({ StackSetName: "switchboard-member", OperationId }),
    );
    expect(StackSetOperation?.StatusDetails?.FailedStackInstancesCount).toBe(1);
    await expect(assumeMember(emulator, memberAccountId({}, 6))).rejects.toMatchObject({
      name: "AccessDenied",
    });
  });
});

describe("CloudFormation StackSets: targets", () => {
  let emulator: Emulator;
  afterEach(() => emulator.close());

  it("reaches the accounts of child OUs and leaves out the accounts a DIFFERENCE filter names", async () => {
    const input = world();
    const production = input.organization?.units?.[0];
    // Production's last member moves into a child OU, Production/Data.
    if (production !== undefined)
      production.units = [{ name: "Data", accounts: [production.accounts?.pop() ?? ""] }];
    emulator = await startEmulator({ world: input, knobs: { cloudFormationPolls: 0 } });
    const cfn = cloudFormation(emulator);
    await createMemberStackSet(cfn);
    const ous = await ouIds(emulator);
    const skipped = memberAccountId({}, 3);
    await cfn.send(
      new CreateStackInstancesCommand({
        StackSetName: "switchboard-member",
        DeploymentTargets: {
          OrganizationalUnitIds: [ous.Production ?? ""],
          Accounts: [skipped],
          AccountFilterType: "DIFFERENCE",
        },
        Regions: ["us-east-1"],
      }),
    );
    const instances = await allInstances(cfn);
    // Production holds members 0, 3 and 6; member 9 is in Production/Data.
    expect(instances.map((i) => [i.Account, i.OrganizationalUnitId])).toEqual([
      [memberAccountId({}, 0), ous.Production],
      [memberAccountId({}, 6), ous.Production],
      [memberAccountId({}, 9), ous.Production],
    ]);
    await expect(assumeMember(emulator, skipped)).rejects.toMatchObject({ name: "AccessDenied" });
  });
});

describe("CloudFormation stacks in one account", () => {
  let emulator: Emulator;
  afterEach(() => emulator.close());

  it("creates the member role in the management account with CreateStack", async () => {
    emulator = await startEmulator({ world: world() });
    const cfn = cloudFormation(emulator);
    await expect(
      cfn.send(new CreateStackCommand({ StackName: "switchboard-member", TemplateBody: TEMPLATE })),
    ).rejects.toMatchObject({ name: "InsufficientCapabilitiesException" });
    const { StackId } = await cfn.send(
      new CreateStackCommand({
        StackName: "switchboard-member",
        TemplateBody: TEMPLATE,
        Capabilities: ["CAPABILITY_NAMED_IAM"],
      }),
    );
    expect(StackId).toMatch(
      /^arn:aws:cloudformation:us-east-1:111111111111:stack\/switchboard-member\//,
    );
    const first = await cfn.send(new DescribeStacksCommand({ StackName: "switchboard-member" }));
    expect(first.Stacks?.[0]?.StackStatus).toBe("CREATE_IN_PROGRESS");
    const second = await cfn.send(new DescribeStacksCommand({ StackName: "switchboard-member" }));
    expect(second.Stacks?.[0]).toMatchObject({
      StackStatus: "CREATE_COMPLETE",
      Outputs: [
        { OutputKey: "RoleArn", OutputValue: "arn:aws:iam::111111111111:role/switchboard-member" },
      ],
    });
    expect((await assumeMember(emulator, MANAGEMENT)).Credentials).toBeDefined();
    await expect(
      cfn.send(
        new CreateStackCommand({
          StackName: "switchboard-member",
          TemplateBody: TEMPLATE,
          Capabilities: ["CAPABILITY_NAMED_IAM"],
        }),
      ),
    ).rejects.toMatchObject({ name: "AlreadyExistsException" });
    await expect(
      cfn.send(new DescribeStacksCommand({ StackName: "nothing-here" })),
    ).rejects.toMatchObject({
      name: "ValidationError",
      message: "Stack with id nothing-here does not exist",
    });
  });

  it("rolls back a stack whose role exists already and says why in its events", async () => {
    emulator = await startEmulator({ world: world(), knobs: { cloudFormationPolls: 0 } });
    const cfn = cloudFormation(emulator);
    const create = (name: string) =>
      cfn.send(
        new CreateStackCommand({
          StackName: name,
          TemplateBody: TEMPLATE,
          Capabilities: ["CAPABILITY_NAMED_IAM"],
        }),
      );
    await create("first");
    await create("second");
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: "second" }));
    expect(Stacks?.[0]?.StackStatus).toBe("ROLLBACK_COMPLETE");
    const { StackEvents } = await cfn.send(new DescribeStackEventsCommand({ StackName: "second" }));
    expect(
      StackEvents?.find((e) => e.ResourceStatus === "CREATE_FAILED")?.ResourceStatusReason,
    ).toBe(
      "Resource of type 'AWS::IAM::Role' with identifier 'switchboard-member' already exists. (HandlerErrorCode: AlreadyExists)",
    );
  });

  it("refuses a template that is not CloudFormation, in CloudFormation's words", async () => {
    emulator = await startEmulator({ world: world() });
    const cfn = cloudFormation(emulator);
    const create = (body: string) =>
      cfn.send(new CreateStackCommand({ StackName: "bad", TemplateBody: body }));
    await expect(create("Resources: [unclosed")).rejects.toMatchObject({
      name: "ValidationError",
      message: expect.stringMatching(/^Template format error: YAML not well-formed/) as unknown,
    });
    await expect(create("Description: nothing")).rejects.toMatchObject({
      message: "Template format error: At least one Resources member must be defined.",
    });
    await expect(
      create(
        "Resources:\n  R:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Ref Missing\n",
      ),
    ).rejects.toMatchObject({
      message:
        "Template format error: Unresolved resource dependencies [Missing] in the Resources block of the template",
    });
  });

  it("creates an OIDC provider and a web-identity role that AssumeRoleWithWebIdentity then accepts", async () => {
    const issuer = await startTestIssuer();
    try {
      emulator = await startEmulator({ world: world(), knobs: { cloudFormationPolls: 0 } });
      const host = issuer.url.replace(/^https?:\/\//, "");
      const template = {
        Resources: {
          Provider: {
            Type: "AWS::IAM::OIDCProvider",
            Properties: {
              Url: issuer.url,
              ClientIdList: ["acme/app-id/switchboard.aws.connector"],
            },
          },
          WebRole: {
            Type: "AWS::IAM::Role",
            Properties: {
              RoleName: "switchboard-web",
              AssumeRolePolicyDocument: {
                Version: "2012-10-17",
                Statement: [
                  {
                    Effect: "Allow",
                    Principal: { Federated: { Ref: "Provider" } },
                    Action: "sts:AssumeRoleWithWebIdentity",
                    Condition: {
                      StringEquals: {
                        [`${host}:aud`]: "acme/app-id/switchboard.aws.connector",
                        [`${host}:sub`]: "switchboard:connection/prod",
                      },
                    },
                  },
                ],
              },
              ManagedPolicyArns: ["arn:aws:iam::aws:policy/ViewOnlyAccess"],
            },
          },
        },
      };
      await cloudFormation(emulator).send(
        new CreateStackCommand({
          StackName: "web",
          TemplateBody: JSON.stringify(template),
          Capabilities: ["CAPABILITY_NAMED_IAM"],
        }),
      );
      const token = await issuer.sign({
        aud: "acme/app-id/switchboard.aws.connector",
        sub: "switchboard:connection/prod",
      });
      const result = await new STSClient({ endpoint: emulator.url, region: "us-east-1" }).send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: `arn:aws:iam::${MANAGEMENT}:role/switchboard-web`,
          RoleSessionName: "run-1",
          WebIdentityToken: token,
        }),
      );
      expect(result.AssumedRoleUser?.Arn).toBe(
        `arn:aws:sts::${MANAGEMENT}:assumed-role/switchboard-web/run-1`,
      );
    } finally {
      await issuer.close();
    }
  });

  it("refuses an OIDC provider IAM would refuse: an http:// URL off loopback, a thumbprint not of 40 characters", async () => {
    emulator = await startEmulator({ world: world(), knobs: { cloudFormationPolls: 0 } });
    const cfn = cloudFormation(emulator);
    const reason = async (name: string, properties: Record<string, unknown>) => {
      await cfn.send(
        new CreateStackCommand({
          StackName: name,
          TemplateBody: JSON.stringify({
            Resources: { Provider: { Type: "AWS::IAM::OIDCProvider", Properties: properties } },
          }),
        }),
      );
      const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: name }));
      expect(Stacks?.[0]?.StackStatus).toBe("ROLLBACK_COMPLETE");
      const { StackEvents } = await cfn.send(new DescribeStackEventsCommand({ StackName: name }));
      return StackEvents?.find((e) => e.ResourceStatus === "CREATE_FAILED")?.ResourceStatusReason;
    };
    const clients = { ClientIdList: ["acme/app-id/switchboard.aws.connector"] };
    expect(await reason("plain-http", { Url: "http://switchboard.example.com", ...clients })).toBe(
      "Property Url must be an https:// URL",
    );
    expect(
      await reason("with-query", { Url: "https://switchboard.example.com/?tenant=a", ...clients }),
    ).toBe("Property Url must be an https:// URL");
    expect(
      await reason("short-thumbprint", {
        Url: "https://switchboard.example.com",
        ThumbprintList: ["abc123"],
        ...clients,
      }),
    ).toBe(
      `Resource handler returned message: "1 validation error detected: Value '[abc123]' at 'thumbprintList' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 40, Member must have length greater than or equal to 40] (Service: Iam, Status Code: 400)" (HandlerErrorCode: InvalidRequest)`,
    );
    await cfn.send(
      new CreateStackCommand({
        StackName: "https",
        TemplateBody: JSON.stringify({
          Resources: {
            Provider: {
              Type: "AWS::IAM::OIDCProvider",
              Properties: {
                Url: "https://switchboard.example.com",
                ThumbprintList: ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"],
                ...clients,
              },
            },
          },
        }),
      }),
    );
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: "https" }));
    expect(Stacks?.[0]?.StackStatus).toBe("CREATE_COMPLETE");
  });
});
