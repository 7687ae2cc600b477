import {
  DescribeInstancesCommand,
  DescribeInstanceStatusCommand,
  EC2Client,
  paginateDescribeInstanceStatus,
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

const ec2 = () =>
  new EC2Client({
    endpoint: emulator.url,
    region: "us-east-1",
    credentials: KEYS.reader,
    maxAttempts: 1,
  });
const STOPPED = "i-0000000000000001";
const RUNNING = "i-0000000000000002";

async function control(query: string): Promise<number> {
  const response = await fetch(`${emulator.url}/_emulator/ec2/instance-status?${query}`, {
    method: "POST",
  });
  return response.status;
}

describe("EC2 DescribeInstanceStatus", () => {
  it("lists running instances with both checks passed, and stopped ones only with IncludeAllInstances", async () => {
    const pages = paginateDescribeInstanceStatus({ client: ec2(), pageSize: 5 }, {});
    const statuses = [];
    for await (const page of pages) statuses.push(...(page.InstanceStatuses ?? []));
    expect(statuses.map((s) => s.InstanceId)).not.toContain(STOPPED);
    expect(statuses.find((s) => s.InstanceId === RUNNING)).toEqual({
      InstanceId: RUNNING,
      AvailabilityZone: "us-east-1a",
      InstanceState: { Code: 16, Name: "running" },
      InstanceStatus: { Status: "ok", Details: [{ Name: "reachability", Status: "passed" }] },
      SystemStatus: { Status: "ok", Details: [{ Name: "reachability", Status: "passed" }] },
    });
    const all = await ec2().send(
      new DescribeInstanceStatusCommand({ InstanceIds: [STOPPED], IncludeAllInstances: true }),
    );
    expect(all.InstanceStatuses?.[0]).toMatchObject({
      InstanceState: { Name: "stopped" },
      InstanceStatus: { Status: "not-applicable" },
      SystemStatus: { Status: "not-applicable" },
    });
  });

  it("answers a failed check the control route set, and refuses what EC2 refuses", async () => {
    expect(
      await control(
        `account=${MAIN}&region=us-east-1&instanceId=${RUNNING}&check=instance&status=impaired`,
      ),
    ).toBe(200);
    const { InstanceStatuses } = await ec2().send(
      new DescribeInstanceStatusCommand({ InstanceIds: [RUNNING] }),
    );
    expect(InstanceStatuses?.[0]?.InstanceStatus).toMatchObject({
      Status: "impaired",
      Details: [
        { Name: "reachability", Status: "failed", ImpairedSince: expect.any(Date) as Date },
      ],
    });
    expect(InstanceStatuses?.[0]?.SystemStatus?.Status).toBe("ok");
    // DescribeInstances has no such member: the check never shows there.
    const described = await ec2().send(new DescribeInstancesCommand({ InstanceIds: [RUNNING] }));
    expect(JSON.stringify(described)).not.toContain("impaired");
    expect(
      await control(
        `account=${MAIN}&region=us-east-1&instanceId=${RUNNING}&check=instance&status=ok`,
      ),
    ).toBe(200);
    expect(
      await control(`account=${MAIN}&region=us-east-1&instanceId=${RUNNING}&check=disk&status=ok`),
    ).toBe(400);
    expect(
      await control(`account=${MAIN}&region=us-east-1&instanceId=i-nope&check=system&status=ok`),
    ).toBe(404);

    await expect(
      ec2().send(new DescribeInstanceStatusCommand({ InstanceIds: [RUNNING], MaxResults: 5 })),
    ).rejects.toMatchObject({ name: "InvalidParameterCombination" });
    await expect(
      ec2().send(new DescribeInstanceStatusCommand({ InstanceIds: ["i-0000000000000fff"] })),
    ).rejects.toMatchObject({ name: "InvalidInstanceID.NotFound" });
  });
});
