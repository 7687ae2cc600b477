import {
  DescribeAvailabilityZonesCommand,
  DescribeInstancesCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import {
  AttachPolicyCommand,
  CreatePolicyCommand,
  DeletePolicyCommand,
  DescribePolicyCommand,
  DetachPolicyCommand,
  DisablePolicyTypeCommand,
  EnablePolicyTypeCommand,
  ListPoliciesCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  ListTargetsForPolicyCommand,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type Emulator, type WorldInput } from "../../emulator/index.js";
import type { Principal } from "../../emulator/iam/principal.js";
import { organizationControl } from "../../emulator/organization-control.js";
import { scpLevelsFor } from "../../emulator/world/service-control-policies.js";
import {
  memberAccountId,
  ORGANIZATION_ADMIN_KEY,
  organizationWorld,
} from "../../emulator/worlds/organization-world.js";

const MEMBER = memberAccountId({}, 0);
const OTHER_MEMBER = memberAccountId({}, 1);
const MEMBER_KEY = {
  accessKeyId: "AKIASCPMEMBERREADER1",
  secretAccessKey: "scp-member-reader-secret-000000000",
};
const OTHER_KEY = {
  accessKeyId: "AKIASCPOTHERREADER01",
  secretAccessKey: "scp-other-reader-secret-0000000000",
};
const DENY_EU_WEST_1 = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "DenyEuWest1",
      Effect: "Deny",
      Action: "*",
      Resource: "*",
      Condition: { StringEquals: { "aws:RequestedRegion": "eu-west-1" } },
    },
  ],
});

function reader(key: typeof MEMBER_KEY) {
  return {
    name: "reader",
    accessKeys: [{ id: key.accessKeyId, secret: key.secretAccessKey }],
    policies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
  };
}

/** Three members in three OUs; the first two members and the management account have a reader. */
function world(): WorldInput {
  const input = organizationWorld({
    accounts: 3,
    management: {
      users: [
        {
          name: "admin",
          accessKeys: [
            {
              id: ORGANIZATION_ADMIN_KEY.accessKeyId,
              secret: ORGANIZATION_ADMIN_KEY.secretAccessKey,
            },
          ],
          policies: ["arn:aws:iam::aws:policy/AdministratorAccess"],
        },
      ],
    },
  });
  for (const [id, key] of [
    [MEMBER, MEMBER_KEY],
    [OTHER_MEMBER, OTHER_KEY],
  ] as const) {
    const account = input.accounts.find((a) => a.id === id);
    if (account !== undefined) account.users = [reader(key)];
  }
  return input;
}

describe("Organizations: service control policies", () => {
  let emulator: Emulator;
  let admin: OrganizationsClient;
  let rootId: string;
  const ec2 = (key: typeof MEMBER_KEY, region: string) =>
    new EC2Client({ endpoint: emulator.url, region, credentials: key });
  const unitOf = async (accountId: string) =>
    (await organizationControl.tree(emulator.url)).Accounts.find((a) => a.Id === accountId)
      ?.ParentId ?? "";

  beforeEach(async () => {
    emulator = await startEmulator({ world: world() });
    admin = new OrganizationsClient({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials: ORGANIZATION_ADMIN_KEY,
    });
    rootId = (await admin.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? "";
  });
  afterEach(() => emulator.close());

  const createDenyPolicy = async (content = DENY_EU_WEST_1, name = "deny-eu-west-1") => {
    const { Policy } = await admin.send(
      new CreatePolicyCommand({
        Name: name,
        Description: "no eu-west-1",
        Type: "SERVICE_CONTROL_POLICY",
        Content: content,
      }),
    );
    return Policy?.PolicySummary?.Id ?? "";
  };

  it("refuses policies until the type is enabled, then attaches FullAWSAccess everywhere", async () => {
    expect((await admin.send(new ListRootsCommand({}))).Roots?.[0]?.PolicyTypes).toEqual([]);
    await expect(createDenyPolicy()).rejects.toMatchObject({
      name: "PolicyTypeNotEnabledException",
    });
    const { Root } = await admin.send(
      new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: "SERVICE_CONTROL_POLICY" }),
    );
    expect(Root?.PolicyTypes).toEqual([{ Type: "SERVICE_CONTROL_POLICY", Status: "ENABLED" }]);
    await expect(
      admin.send(
        new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: "SERVICE_CONTROL_POLICY" }),
      ),
    ).rejects.toMatchObject({ name: "PolicyTypeAlreadyEnabledException" });
    for (const target of [rootId, await unitOf(MEMBER), MEMBER]) {
      const { Policies } = await admin.send(
        new ListPoliciesForTargetCommand({ TargetId: target, Filter: "SERVICE_CONTROL_POLICY" }),
      );
      expect(Policies).toEqual([
        expect.objectContaining({ Id: "p-FullAWSAccess", Name: "FullAWSAccess", AwsManaged: true }),
      ]);
    }
    // The members still work: FullAWSAccess allows what their IAM policies allow.
    await expect(
      ec2(MEMBER_KEY, "eu-west-1").send(new DescribeInstancesCommand({})),
    ).resolves.toBeDefined();
  });

  it("creates, describes, lists, attaches, detaches and deletes a policy, with AWS's errors", async () => {
    await admin.send(
      new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: "SERVICE_CONTROL_POLICY" }),
    );
    const id = await createDenyPolicy();
    expect(id).toMatch(/^p-[0-9a-z]{8,}$/);
    await expect(createDenyPolicy()).rejects.toMatchObject({ name: "DuplicatePolicyException" });
    await expect(createDenyPolicy("{not json", "broken")).rejects.toMatchObject({
      name: "MalformedPolicyDocumentException",
    });
    await expect(
      createDenyPolicy(
        JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Maybe", Action: "*", Resource: "*" }],
        }),
        "bad-effect",
      ),
    ).rejects.toMatchObject({ name: "MalformedPolicyDocumentException" });
    const described = await admin.send(new DescribePolicyCommand({ PolicyId: id }));
    expect(described.Policy?.Content).toBe(DENY_EU_WEST_1);
    expect(described.Policy?.PolicySummary).toMatchObject({
      Name: "deny-eu-west-1",
      Type: "SERVICE_CONTROL_POLICY",
      AwsManaged: false,
    });
    const listed = await admin.send(new ListPoliciesCommand({ Filter: "SERVICE_CONTROL_POLICY" }));
    expect(listed.Policies?.map((p) => p.Name).sort()).toEqual(["FullAWSAccess", "deny-eu-west-1"]);

    await admin.send(new AttachPolicyCommand({ PolicyId: id, TargetId: MEMBER }));
    await expect(
      admin.send(new AttachPolicyCommand({ PolicyId: id, TargetId: MEMBER })),
    ).rejects.toMatchObject({
      name: "DuplicatePolicyAttachmentException",
    });
    await expect(
      admin.send(new AttachPolicyCommand({ PolicyId: id, TargetId: "999999999999" })),
    ).rejects.toMatchObject({
      name: "TargetNotFoundException",
    });
    await expect(
      admin.send(new DescribePolicyCommand({ PolicyId: "p-doesnotexist" })),
    ).rejects.toMatchObject({
      name: "PolicyNotFoundException",
    });
    await expect(admin.send(new DescribePolicyCommand({ PolicyId: "nope" }))).rejects.toMatchObject(
      {
        name: "InvalidInputException",
      },
    );
    const targets = await admin.send(new ListTargetsForPolicyCommand({ PolicyId: id }));
    expect(targets.Targets).toEqual([
      expect.objectContaining({ TargetId: MEMBER, Type: "ACCOUNT" }),
    ]);
    await expect(admin.send(new DeletePolicyCommand({ PolicyId: id }))).rejects.toMatchObject({
      name: "PolicyInUseException",
    });

    await admin.send(new DetachPolicyCommand({ PolicyId: "p-FullAWSAccess", TargetId: MEMBER }));
    // The last SCP of a target cannot be detached.
    await expect(
      admin.send(new DetachPolicyCommand({ PolicyId: id, TargetId: MEMBER })),
    ).rejects.toMatchObject({
      name: "ConstraintViolationException",
      Reason: "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
    });
    await expect(
      admin.send(new DetachPolicyCommand({ PolicyId: "p-FullAWSAccess", TargetId: MEMBER })),
    ).rejects.toMatchObject({
      name: "PolicyNotAttachedException",
    });
    await admin.send(new AttachPolicyCommand({ PolicyId: "p-FullAWSAccess", TargetId: MEMBER }));
    await admin.send(new DetachPolicyCommand({ PolicyId: id, TargetId: MEMBER }));
    await admin.send(new DeletePolicyCommand({ PolicyId: id }));
    await expect(
      admin.send(new DeletePolicyCommand({ PolicyId: "p-FullAWSAccess" })),
    ).rejects.toMatchObject({
      name: "ConstraintViolationException",
    });
  });

  it("lets only the management account manage policies", async () => {
    const member = new OrganizationsClient({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials: MEMBER_KEY,
    });
    await expect(
      member.send(
        new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: "SERVICE_CONTROL_POLICY" }),
      ),
    ).rejects.toMatchObject({ name: "AccessDeniedException" });
  });

  it("denies a member's principals in the region an OU's SCP denies, in AWS's words, and nothing else", async () => {
    await admin.send(
      new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: "SERVICE_CONTROL_POLICY" }),
    );
    const id = await createDenyPolicy();
    await admin.send(new AttachPolicyCommand({ PolicyId: id, TargetId: await unitOf(MEMBER) }));

    const denied = ec2(MEMBER_KEY, "eu-west-1").send(new DescribeAvailabilityZonesCommand({}));
    await expect(denied).rejects.toMatchObject({ name: "UnauthorizedOperation" });
    const error = (await denied.catch((e: unknown) => e)) as Error;
    // EC2 puts its own sentence first, as AWS's EC2 does.
    expect(error.message).toBe(
      `You are not authorized to perform this operation. User: arn:aws:iam::${MEMBER}:user/reader is not authorized to perform: ec2:DescribeAvailabilityZones on resource: * with an explicit deny in a service control policy`,
    );
    await expect(
      ec2(MEMBER_KEY, "us-east-1").send(new DescribeAvailabilityZonesCommand({})),
    ).resolves.toBeDefined();
    // Another OU's account, and the management account, are not under that OU's policy.
    await expect(
      ec2(OTHER_KEY, "eu-west-1").send(new DescribeAvailabilityZonesCommand({})),
    ).resolves.toBeDefined();
    await expect(
      ec2(ORGANIZATION_ADMIN_KEY, "eu-west-1").send(new DescribeAvailabilityZonesCommand({})),
    ).resolves.toBeDefined();
  });

  it("exempts the management account even from a policy on the root", async () => {
    await admin.send(
      new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: "SERVICE_CONTROL_POLICY" }),
    );
    const id = await createDenyPolicy();
    await admin.send(new AttachPolicyCommand({ PolicyId: id, TargetId: rootId }));
    await expect(
      ec2(ORGANIZATION_ADMIN_KEY, "eu-west-1").send(new DescribeAvailabilityZonesCommand({})),
    ).resolves.toBeDefined();
    await expect(
      ec2(OTHER_KEY, "eu-west-1").send(new DescribeAvailabilityZonesCommand({})),
    ).rejects.toMatchObject({
      name: "UnauthorizedOperation",
    });
  });

  it("holds a member's roles to the SCPs of root, OU and account, but not its service-linked roles", async () => {
    await admin.send(
      new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: "SERVICE_CONTROL_POLICY" }),
    );
    const roleSession = (name: string): Principal => ({
      kind: "assumed-role",
      arn: `arn:aws:sts::${MEMBER}:assumed-role/${name.split("/").pop() ?? ""}/s`,
      accountId: MEMBER,
      userId: "AROAEXAMPLE:s",
      role: {
        name,
        arn: `arn:aws:iam::${MEMBER}:role/${name}`,
        uniqueId: "AROAEXAMPLE",
        accountId: MEMBER,
        trust: { Version: "2012-10-17", Statement: [] },
        policies: [],
        maxSessionDurationSeconds: 3600,
      },
      sessionName: "s",
      sessionPolicy: undefined,
      chained: false,
    });
    const levels = scpLevelsFor(emulator.world.organization, roleSession("switchboard-member"));
    expect(levels?.levels.map((l) => l.orgIdentifier)).toEqual([
      rootId,
      await unitOf(MEMBER),
      MEMBER,
    ]);
    expect(levels?.levels.every((l) => l.policies[0]?.name === "FullAWSAccess")).toBe(true);
    expect(
      scpLevelsFor(
        emulator.world.organization,
        roleSession("aws-service-role/ec2.amazonaws.com/AWSServiceRoleForEC2"),
      ),
    ).toBeUndefined();
  });

  it("denies what no SCP allows once FullAWSAccess is replaced by a narrower allow", async () => {
    await admin.send(
      new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: "SERVICE_CONTROL_POLICY" }),
    );
    const s3Only = await createDenyPolicy(
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }],
      }),
      "s3-only",
    );
    await admin.send(new AttachPolicyCommand({ PolicyId: s3Only, TargetId: MEMBER }));
    await admin.send(new DetachPolicyCommand({ PolicyId: "p-FullAWSAccess", TargetId: MEMBER }));
    const denied = await ec2(MEMBER_KEY, "us-east-1")
      .send(new DescribeAvailabilityZonesCommand({}))
      .catch((e: unknown) => e as Error);
    expect((denied as Error).message).toMatch(
      /because no service control policy allows the ec2:DescribeAvailabilityZones action$/,
    );
    // Disabling the type lifts every SCP.
    await admin.send(
      new DisablePolicyTypeCommand({ RootId: rootId, PolicyType: "SERVICE_CONTROL_POLICY" }),
    );
    await expect(
      ec2(MEMBER_KEY, "us-east-1").send(new DescribeAvailabilityZonesCommand({})),
    ).resolves.toBeDefined();
  });
});
