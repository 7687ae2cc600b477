import {
  DescribeAccountCommand,
  DescribeOrganizationalUnitCommand,
  DescribeOrganizationCommand,
  EnableAWSServiceAccessCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListAWSServiceAccessForOrganizationCommand,
  ListChildrenCommand,
  ListDelegatedAdministratorsCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListRootsCommand,
  OrganizationsClient,
  paginateListAccounts,
  paginateListAccountsForParent,
  RegisterDelegatedAdministratorCommand,
  type Account,
} from "@aws-sdk/client-organizations";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, afterAll, describe, expect, it } from "vitest";
import { buildWorld, startEmulator, type Emulator, type WorldInput } from "../../emulator/index.js";
import { organizationControl } from "../../emulator/organization-control.js";
import {
  memberAccountId,
  ORGANIZATION_ADMIN_KEY,
  organizationWorld,
} from "../../emulator/worlds/organization-world.js";

const MANAGEMENT = "111111111111";
const STANDALONE = "999999999999";
const KEYS = {
  admin: ORGANIZATION_ADMIN_KEY,
  member: {
    accessKeyId: "AKIAORGMEMBERUSER001",
    secretAccessKey: "organization-member-secret-0000000",
  },
  standalone: {
    accessKeyId: "AKIASTANDALONEUSER01",
    secretAccessKey: "standalone-user-secret-00000000000",
  },
  noOrgs: {
    accessKeyId: "AKIAORGNOPERMISSION1",
    secretAccessKey: "no-organizations-secret-0000000000",
  },
};
const MEMBER = memberAccountId({}, 0);
const STACKSETS = "member.org.stacksets.cloudformation.amazonaws.com";

function reader(key: { accessKeyId: string; secretAccessKey: string }) {
  return {
    name: "reader",
    accessKeys: [{ id: key.accessKeyId, secret: key.secretAccessKey }],
    policies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
  };
}

/** 40 members in 3 OUs (the last 2 suspended), a member with a user, and a standalone account. */
function world(): WorldInput {
  const input = organizationWorld({
    accounts: 40,
    suspended: 2,
    management: {
      users: [
        {
          name: "admin",
          accessKeys: [{ id: KEYS.admin.accessKeyId, secret: KEYS.admin.secretAccessKey }],
          policies: ["arn:aws:iam::aws:policy/AdministratorAccess"],
        },
        {
          name: "ec2-only",
          accessKeys: [{ id: KEYS.noOrgs.accessKeyId, secret: KEYS.noOrgs.secretAccessKey }],
          policies: ["arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess"],
        },
      ],
    },
    otherAccounts: [{ id: STANDALONE, name: "standalone", users: [reader(KEYS.standalone)] }],
  });
  const member = input.accounts.find((a) => a.id === MEMBER);
  if (member !== undefined) member.users = [reader(KEYS.member)];
  return input;
}

function client(emulator: Emulator, key: { accessKeyId: string; secretAccessKey: string }) {
  return new OrganizationsClient({ endpoint: emulator.url, region: "us-east-1", credentials: key });
}

describe("Organizations: the tree", () => {
  let emulator: Emulator;
  let admin: OrganizationsClient;
  beforeAll(async () => {
    emulator = await startEmulator({ world: world() });
    admin = client(emulator, KEYS.admin);
  });
  afterAll(() => emulator.close());

  it("describes the organization, its management account and feature set ALL", async () => {
    const { Organization } = await admin.send(new DescribeOrganizationCommand({}));
    expect(Organization).toMatchObject({
      FeatureSet: "ALL",
      MasterAccountId: MANAGEMENT,
      MasterAccountArn: expect.stringMatching(
        /^arn:aws:organizations::111111111111:account\/o-[a-z0-9]{10}\/111111111111$/,
      ) as unknown,
    });
    expect(Organization?.Id).toMatch(/^o-[a-z0-9]{10}$/);
  });

  it("lists the 41 accounts in pages of 20 at most, following NextToken", async () => {
    const first = await admin.send(new ListAccountsCommand({}));
    expect(first.Accounts).toHaveLength(20);
    expect(first.NextToken).toBeDefined();
    const all: Account[] = [];
    for await (const page of paginateListAccounts({ client: admin, pageSize: 7 }, {})) {
      expect(page.Accounts?.length).toBeLessThanOrEqual(7);
      all.push(...(page.Accounts ?? []));
    }
    expect(all).toHaveLength(41);
    expect(new Set(all.map((a) => a.Id)).size).toBe(41);
    const suspended = all.filter((a) => a.State === "SUSPENDED");
    expect(suspended.map((a) => a.Id).sort()).toEqual([
      memberAccountId({}, 38),
      memberAccountId({}, 39),
    ]);
    expect(suspended.every((a) => a.Status === "SUSPENDED")).toBe(true);
    expect(all.find((a) => a.Id === MEMBER)).toMatchObject({
      State: "ACTIVE",
      Status: "ACTIVE",
      Name: "member-0001",
      JoinedMethod: "CREATED",
    });
  });

  it("refuses a page larger than 20 with InvalidInputException", async () => {
    await expect(admin.send(new ListAccountsCommand({ MaxResults: 21 }))).rejects.toMatchObject({
      name: "InvalidInputException",
      Reason: "MAX_VALUE_EXCEEDED",
    });
  });

  it("walks root → OUs → accounts with ListChildren, ListParents and the ForParent lists", async () => {
    const { Roots } = await admin.send(new ListRootsCommand({}));
    expect(Roots).toHaveLength(1);
    const rootId = Roots?.[0]?.Id ?? "";
    expect(rootId).toMatch(/^r-[0-9a-z]{4}$/);
    const { OrganizationalUnits } = await admin.send(
      new ListOrganizationalUnitsForParentCommand({ ParentId: rootId }),
    );
    expect(OrganizationalUnits?.map((u) => u.Name)).toEqual(["Production", "Staging", "Sandbox"]);
    const ouIds = (OrganizationalUnits ?? []).map((u) => u.Id ?? "");
    for (const id of ouIds) expect(id).toMatch(new RegExp(`^ou-${rootId.slice(2)}-[a-z0-9]{8}$`));

    const counts: number[] = [];
    for (const ouId of ouIds) {
      let n = 0;
      for await (const page of paginateListAccountsForParent({ client: admin }, { ParentId: ouId }))
        n += page.Accounts?.length ?? 0;
      counts.push(n);
    }
    expect(counts).toEqual([14, 13, 13]);

    const rootAccounts = await admin.send(new ListAccountsForParentCommand({ ParentId: rootId }));
    expect(rootAccounts.Accounts?.map((a) => a.Id)).toEqual([MANAGEMENT]);
    const children = await admin.send(
      new ListChildrenCommand({ ParentId: rootId, ChildType: "ORGANIZATIONAL_UNIT" }),
    );
    expect(children.Children?.map((c) => c.Type)).toEqual(Array(3).fill("ORGANIZATIONAL_UNIT"));
    const accountChildren = await admin.send(
      new ListChildrenCommand({ ParentId: ouIds[0], ChildType: "ACCOUNT", MaxResults: 5 }),
    );
    expect(accountChildren.Children).toHaveLength(5);
    expect(accountChildren.NextToken).toBeDefined();

    const { Parents } = await admin.send(new ListParentsCommand({ ChildId: MEMBER }));
    expect(Parents).toEqual([{ Id: ouIds[0], Type: "ORGANIZATIONAL_UNIT" }]);
    const ouParents = await admin.send(new ListParentsCommand({ ChildId: ouIds[1] }));
    expect(ouParents.Parents).toEqual([{ Id: rootId, Type: "ROOT" }]);

    const { Account: described } = await admin.send(
      new DescribeAccountCommand({ AccountId: MEMBER }),
    );
    expect(described?.Id).toBe(MEMBER);
    const { OrganizationalUnit } = await admin.send(
      new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: ouIds[2] }),
    );
    expect(OrganizationalUnit?.Name).toBe("Sandbox");
  });

  it("answers unknown parents, children, accounts and OUs with their own errors", async () => {
    await expect(
      admin.send(new ListAccountsForParentCommand({ ParentId: "ou-zzzz-zzzzzzzz" })),
    ).rejects.toMatchObject({
      name: "ParentNotFoundException",
      message: "We can't find a root or OU with the ParentId that you specified.",
    });
    await expect(
      admin.send(new ListChildrenCommand({ ParentId: "r-zzzz", ChildType: "ACCOUNT" })),
    ).rejects.toMatchObject({ name: "ParentNotFoundException" });
    await expect(
      admin.send(new ListParentsCommand({ ChildId: "123456789012" })),
    ).rejects.toMatchObject({ name: "ChildNotFoundException" });
    await expect(
      admin.send(new DescribeAccountCommand({ AccountId: "123456789012" })),
    ).rejects.toMatchObject({ name: "AccountNotFoundException" });
    await expect(
      admin.send(
        new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: "ou-zzzz-zzzzzzzz" }),
      ),
    ).rejects.toMatchObject({ name: "OrganizationalUnitNotFoundException" });
  });

  it("refuses a standalone account with AWSOrganizationsNotInUseException", async () => {
    await expect(
      client(emulator, KEYS.standalone).send(new DescribeOrganizationCommand({})),
    ).rejects.toMatchObject({
      name: "AWSOrganizationsNotInUseException",
      message: "Your account is not a member of an organization.",
    });
  });

  it("checks IAM first: a management user without organizations permissions is denied", async () => {
    await expect(
      client(emulator, KEYS.noOrgs).send(new ListAccountsCommand({})),
    ).rejects.toMatchObject({
      name: "AccessDeniedException",
      message: expect.stringContaining(
        "is not authorized to perform: organizations:ListAccounts",
      ) as unknown,
    });
  });
});

describe("Organizations: who may call", () => {
  let emulator: Emulator;
  afterEach(() => emulator.close());

  it("lets a member describe the organization but not list it until it is a delegated administrator", async () => {
    emulator = await startEmulator({ world: world() });
    const admin = client(emulator, KEYS.admin);
    const member = client(emulator, KEYS.member);
    const { Organization } = await member.send(new DescribeOrganizationCommand({}));
    expect(Organization?.MasterAccountId).toBe(MANAGEMENT);
    await expect(member.send(new ListAccountsCommand({}))).rejects.toMatchObject({
      name: "AccessDeniedException",
      message: "You don't have permissions to access this resource.",
    });
    await expect(
      member.send(
        new RegisterDelegatedAdministratorCommand({
          AccountId: MEMBER,
          ServicePrincipal: STACKSETS,
        }),
      ),
    ).rejects.toMatchObject({ name: "AccessDeniedException" });

    await admin.send(
      new RegisterDelegatedAdministratorCommand({ AccountId: MEMBER, ServicePrincipal: STACKSETS }),
    );
    await expect(
      admin.send(
        new RegisterDelegatedAdministratorCommand({
          AccountId: MEMBER,
          ServicePrincipal: STACKSETS,
        }),
      ),
    ).rejects.toMatchObject({ name: "AccountAlreadyRegisteredException" });
    await expect(
      admin.send(
        new RegisterDelegatedAdministratorCommand({
          AccountId: MANAGEMENT,
          ServicePrincipal: STACKSETS,
        }),
      ),
    ).rejects.toMatchObject({ name: "ConstraintViolationException" });
    const { DelegatedAdministrators } = await member.send(
      new ListDelegatedAdministratorsCommand({ ServicePrincipal: STACKSETS }),
    );
    expect(DelegatedAdministrators?.map((d) => [d.Id, d.State])).toEqual([[MEMBER, "ACTIVE"]]);
    const listed = await member.send(new ListAccountsCommand({ MaxResults: 3 }));
    expect(listed.Accounts).toHaveLength(3);
  });

  it("enables trusted access for a service and lists it", async () => {
    emulator = await startEmulator({ world: world() });
    const admin = client(emulator, KEYS.admin);
    expect(
      (await admin.send(new ListAWSServiceAccessForOrganizationCommand({})))
        .EnabledServicePrincipals,
    ).toEqual([]);
    await admin.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: STACKSETS }));
    const { EnabledServicePrincipals } = await admin.send(
      new ListAWSServiceAccessForOrganizationCommand({}),
    );
    expect(EnabledServicePrincipals?.map((s) => s.ServicePrincipal)).toEqual([STACKSETS]);
    expect(EnabledServicePrincipals?.[0]?.DateEnabled).toBeInstanceOf(Date);
    // The principal people mistake for StackSets' own.
    await expect(
      admin.send(
        new EnableAWSServiceAccessCommand({
          ServicePrincipal: "stacksets.cloudformation.amazonaws.com",
        }),
      ),
    ).rejects.toMatchObject({
      name: "InvalidInputException",
      message: "You specified an unrecognized service principal.",
      Reason: "UNRECOGNIZED_SERVICE_PRINCIPAL",
    });
    await expect(
      client(emulator, KEYS.member).send(
        new EnableAWSServiceAccessCommand({ ServicePrincipal: "config.amazonaws.com" }),
      ),
    ).rejects.toMatchObject({ name: "AccessDeniedException" });
  });
});

describe("Organizations: changes during a test (control routes)", () => {
  let emulator: Emulator;
  afterEach(() => emulator.close());

  it("lets a new account with its own IAM join an OU, move, be suspended and leave", async () => {
    emulator = await startEmulator({ world: world() });
    const admin = client(emulator, KEYS.admin);
    const newKey = {
      accessKeyId: "AKIANEWMEMBERUSER001",
      secretAccessKey: "new-member-secret-000000000000000",
    };
    const joined = await organizationControl.join(emulator.url, {
      id: "300000000001",
      name: "newcomer",
      parent: "Staging",
      users: [reader(newKey)],
    });
    expect(joined).toMatchObject({ Id: "300000000001", State: "ACTIVE", Name: "newcomer" });
    const tree = await organizationControl.tree(emulator.url);
    const staging = tree.OrganizationalUnits.find((u) => u.Name === "Staging")?.Id ?? "";
    const sandbox = tree.OrganizationalUnits.find((u) => u.Name === "Sandbox")?.Id ?? "";
    expect(joined.ParentId).toBe(staging);

    const { Parents } = await admin.send(new ListParentsCommand({ ChildId: "300000000001" }));
    expect(Parents?.[0]?.Id).toBe(staging);
    const sts = new STSClient({ endpoint: emulator.url, region: "us-east-1", credentials: newKey });
    expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe("300000000001");
    const { Organization } = await client(emulator, newKey).send(
      new DescribeOrganizationCommand({}),
    );
    expect(Organization?.Id).toBe(tree.Id);

    await organizationControl.move(emulator.url, "300000000001", { parentId: sandbox });
    expect(
      (await admin.send(new ListParentsCommand({ ChildId: "300000000001" }))).Parents?.[0]?.Id,
    ).toBe(sandbox);

    await organizationControl.setState(emulator.url, "300000000001", "SUSPENDED");
    const { Account: suspended } = await admin.send(
      new DescribeAccountCommand({ AccountId: "300000000001" }),
    );
    expect(suspended).toMatchObject({ State: "SUSPENDED", Status: "SUSPENDED" });

    await organizationControl.leave(emulator.url, "300000000001");
    await expect(
      admin.send(new DescribeAccountCommand({ AccountId: "300000000001" })),
    ).rejects.toMatchObject({ name: "AccountNotFoundException" });
    await expect(
      client(emulator, newKey).send(new DescribeOrganizationCommand({})),
    ).rejects.toMatchObject({ name: "AWSOrganizationsNotInUseException" });
  });

  it("refuses a join that names an unknown OU or repeats a member, naming the field", async () => {
    emulator = await startEmulator({ world: world() });
    await expect(
      organizationControl.join(emulator.url, { id: "300000000002", name: "x", parent: "Nowhere" }),
    ).rejects.toThrow(/404.*parent: no such root or OU/);
    await expect(
      organizationControl.join(emulator.url, { id: MEMBER, name: "again" }),
    ).rejects.toThrow(/409.*already in the organization/);
  });
});

describe("Organizations: world data", () => {
  it("serves the demo world's organization: 3 OUs, the management account and a suspended sandbox", async () => {
    const emulator = await startEmulator({
      world: fileURLToPath(new URL("../../emulator/worlds/demo.yaml", import.meta.url)),
    });
    try {
      const admin = client(emulator, {
        accessKeyId: "AKIAMANAGEMENTADMIN1",
        secretAccessKey: "management-admin-secret-0000000000000000",
      });
      const { Organization } = await admin.send(new DescribeOrganizationCommand({}));
      expect(Organization).toMatchObject({
        Id: "o-demo7x2k9q",
        MasterAccountId: MANAGEMENT,
        MasterAccountEmail: "aws-management@demo.example",
      });
      const accounts: Account[] = [];
      for await (const page of paginateListAccounts({ client: admin }, {}))
        accounts.push(...(page.Accounts ?? []));
      expect(accounts.map((a) => [a.Name, a.State]).sort()).toEqual([
        ["management", "ACTIVE"],
        ["payments", "ACTIVE"],
        ["production", "ACTIVE"],
        ["qa", "ACTIVE"],
        ["sandbox", "ACTIVE"],
        ["sandbox-legacy", "SUSPENDED"],
        ["staging", "ACTIVE"],
      ]);
      const tree = await organizationControl.tree(emulator.url);
      expect(tree.OrganizationalUnits.map((u) => u.Name)).toEqual([
        "Production",
        "Staging",
        "Sandbox",
      ]);
    } finally {
      await emulator.close();
    }
  });

  it("nests OUs and gives each account its path from the root", async () => {
    const input = organizationWorld({ accounts: 2, units: ["Workloads"] });
    const workloads = input.organization?.units?.[0];
    if (workloads !== undefined)
      workloads.units = [{ name: "Prod", accounts: [workloads.accounts?.pop() ?? ""] }];
    const emulator = await startEmulator({ world: input });
    try {
      const admin = client(emulator, KEYS.admin);
      const tree = await organizationControl.tree(emulator.url);
      const prod = tree.OrganizationalUnits.find((u) => u.Name === "Prod");
      const parent = tree.OrganizationalUnits.find((u) => u.Name === "Workloads");
      expect(prod?.ParentId).toBe(parent?.Id);
      const { Account: nested } = await admin.send(
        new DescribeAccountCommand({ AccountId: memberAccountId({}, 1) }),
      );
      expect(nested?.Paths).toEqual([
        `${tree.Id}/${tree.RootId}/${parent?.Id}/${prod?.Id}/${memberAccountId({}, 1)}/`,
      ]);
      const { Parents } = await admin.send(new ListParentsCommand({ ChildId: prod?.Id ?? "" }));
      expect(Parents).toEqual([{ Id: parent?.Id, Type: "ORGANIZATIONAL_UNIT" }]);
    } finally {
      await emulator.close();
    }
  });

  it("refuses an organization naming an account the world lacks, by its path", () => {
    const input = organizationWorld({ accounts: 3 });
    input.organization?.units?.[1]?.accounts?.push("444444444444");
    expect(() => buildWorld(input)).toThrow(
      "organization.units[1].accounts[1]: unknown account 444444444444",
    );
  });
});
