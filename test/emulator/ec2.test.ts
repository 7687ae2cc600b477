import {
  DescribeInstancesCommand,
  DescribeRegionsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
  paginateDescribeInstances,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../emulator/index.js";
import { KEYS, MAIN, testWorld } from "./test-world.js";

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ world: testWorld() });
});
afterAll(async () => {
  await emulator.close();
});

function ec2(credentials = KEYS.reader, region = "us-east-1") {
  return new EC2Client({ endpoint: emulator.url, region, credentials, maxAttempts: 1 });
}

describe("EC2", () => {
  it("lists the world's regions with DescribeRegions", async () => {
    const { Regions } = await ec2().send(new DescribeRegionsCommand({}));
    expect(Regions).toEqual([
      {
        RegionName: "us-east-1",
        Endpoint: "ec2.us-east-1.amazonaws.com",
        OptInStatus: "opt-in-not-required",
      },
      {
        RegionName: "eu-west-1",
        Endpoint: "ec2.eu-west-1.amazonaws.com",
        OptInStatus: "opt-in-not-required",
      },
    ]);
  });

  it("returns the world's instances as written, grouped in reservations, with typed timestamps", async () => {
    const { Reservations } = await ec2().send(new DescribeInstancesCommand({}));
    const instances = Reservations?.flatMap((r) => r.Instances ?? []) ?? [];
    expect(instances).toHaveLength(12);
    expect(Reservations?.[0]?.OwnerId).toBe(MAIN);
    expect(instances[0]).toMatchObject({
      InstanceId: "i-0000000000000001",
      InstanceType: "t3.micro",
      State: { Code: 80, Name: "stopped" },
      Placement: { AvailabilityZone: "us-east-1a" },
      LaunchTime: new Date("2026-01-01T00:00:00Z"),
      Tags: [
        { Key: "Name", Value: "node-001" },
        { Key: "team", Value: "payments" },
      ],
    });
  });

  it("answers each region from its own data", async () => {
    const { Reservations } = await ec2(KEYS.reader, "eu-west-1").send(
      new DescribeInstancesCommand({}),
    );
    expect(Reservations).toEqual([]);
  });

  it("applies InstanceIds and Filters, including tags and wildcards", async () => {
    const byId = await ec2().send(
      new DescribeInstancesCommand({ InstanceIds: ["i-0000000000000002", "i-0000000000000003"] }),
    );
    expect(byId.Reservations?.flatMap((r) => r.Instances?.map((i) => i.InstanceId))).toEqual([
      "i-0000000000000002",
      "i-0000000000000003",
    ]);
    const filtered = await ec2().send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: "tag:team", Values: ["payments"] },
          { Name: "instance-state-name", Values: ["running"] },
          { Name: "instance-type", Values: ["t3.*", "m6i.large"] },
        ],
      }),
    );
    expect(filtered.Reservations?.flatMap((r) => r.Instances?.map((i) => i.InstanceId))).toEqual([
      "i-0000000000000002",
      "i-0000000000000003",
    ]);
  });

  it("refuses an instance id that does not exist with InvalidInstanceID.NotFound", async () => {
    await expect(
      ec2().send(new DescribeInstancesCommand({ InstanceIds: ["i-0000000000000999"] })),
    ).rejects.toMatchObject({
      name: "InvalidInstanceID.NotFound",
      message: "The instance ID 'i-0000000000000999' does not exist",
    });
  });

  it("refuses an instance id that is not one with InvalidInstanceID.Malformed, before looking up the others", async () => {
    for (const id of ["bogus", "10.0.1.10", "$i-0000000000000001"])
      await expect(
        ec2().send(new DescribeInstancesCommand({ InstanceIds: ["i-0000000000000999", id] })),
      ).rejects.toMatchObject({
        name: "InvalidInstanceID.Malformed",
        message: `Invalid id: "${id}"`,
      });
    await expect(
      ec2(KEYS.admin).send(new TerminateInstancesCommand({ InstanceIds: ["node-001"] })),
    ).rejects.toMatchObject({ name: "InvalidInstanceID.Malformed" });
  });

  it("paginates DescribeInstances with MaxResults across three pages using NextToken", async () => {
    const pages: number[] = [];
    for await (const page of paginateDescribeInstances({ client: ec2(), pageSize: 5 }, {}))
      pages.push(page.Reservations?.length ?? 0);
    expect(pages).toEqual([5, 5, 2]);
  });

  it("refuses a MaxResults below EC2's minimum of 5", async () => {
    await expect(ec2().send(new DescribeInstancesCommand({ MaxResults: 2 }))).rejects.toMatchObject(
      { name: "InvalidParameterValue" },
    );
  });

  it("describes VPCs, subnets and security groups with filters", async () => {
    const vpcs = await ec2().send(
      new DescribeVpcsCommand({ Filters: [{ Name: "cidr", Values: ["10.0.0.0/16"] }] }),
    );
    expect(vpcs.Vpcs?.map((v) => v.VpcId)).toEqual(["vpc-00000000000000001"]);
    const subnets = await ec2().send(
      new DescribeSubnetsCommand({
        Filters: [{ Name: "vpc-id", Values: ["vpc-00000000000000001"] }],
      }),
    );
    expect(subnets.Subnets?.map((s) => s.SubnetId)).toEqual(["subnet-00000000000000001"]);
    const groups = await ec2().send(
      new DescribeSecurityGroupsCommand({ GroupIds: ["sg-00000000000000001"] }),
    );
    expect(groups.SecurityGroups?.[0]).toMatchObject({
      GroupName: "web",
      VpcId: "vpc-00000000000000001",
    });
  });

  it("denies TerminateInstances to a read-only user with UnauthorizedOperation in AWS's wording", async () => {
    const error = await ec2()
      .send(new TerminateInstancesCommand({ InstanceIds: ["i-0000000000000004"] }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: "UnauthorizedOperation",
      $metadata: { httpStatusCode: 403 },
      message:
        `You are not authorized to perform this operation. User: arn:aws:iam::${MAIN}:user/reader is not authorized to perform: ` +
        `ec2:TerminateInstances on resource: arn:aws:ec2:us-east-1:${MAIN}:instance/i-0000000000000004 because no identity-based policy allows the ec2:TerminateInstances action`,
    });
    const { Reservations } = await ec2().send(
      new DescribeInstancesCommand({ InstanceIds: ["i-0000000000000004"] }),
    );
    expect(Reservations?.[0]?.Instances?.[0]?.State?.Name).toBe("running");
  });

  it("terminates instances for an admin and the world shows the change", async () => {
    await expect(
      ec2(KEYS.admin).send(
        new TerminateInstancesCommand({ InstanceIds: ["i-0000000000000005"], DryRun: true }),
      ),
    ).rejects.toMatchObject({
      name: "DryRunOperation",
    });
    const result = await ec2(KEYS.admin).send(
      new TerminateInstancesCommand({ InstanceIds: ["i-0000000000000005"] }),
    );
    expect(result.TerminatingInstances).toEqual([
      {
        InstanceId: "i-0000000000000005",
        PreviousState: { Code: 16, Name: "running" },
        CurrentState: { Code: 32, Name: "shutting-down" },
      },
    ]);
    const { Reservations } = await ec2().send(
      new DescribeInstancesCommand({
        Filters: [{ Name: "instance-state-name", Values: ["terminated"] }],
      }),
    );
    expect(Reservations?.flatMap((r) => r.Instances?.map((i) => i.InstanceId))).toEqual([
      "i-0000000000000005",
    ]);
  });

  it("denies everything to a user without policies", async () => {
    await expect(ec2(KEYS.nobody).send(new DescribeVpcsCommand({}))).rejects.toMatchObject({
      name: "UnauthorizedOperation",
    });
  });
});
