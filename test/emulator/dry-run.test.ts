import {
  DescribeInstancesCommand,
  DescribeRegionsCommand,
  DescribeVpcsCommand,
  EC2Client,
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

function ec2(credentials: { accessKeyId: string; secretAccessKey: string }) {
  return new EC2Client({
    endpoint: emulator.url,
    region: "us-east-1",
    credentials,
    maxAttempts: 1,
  });
}

describe("EC2 DryRun", () => {
  it("answers DryRunOperation (412) instead of the result when the caller may call the operation", async () => {
    for (const command of [
      new DescribeInstancesCommand({ DryRun: true }),
      new DescribeVpcsCommand({ DryRun: true }),
      new DescribeRegionsCommand({ DryRun: true }),
    ]) {
      await expect(ec2(KEYS.reader).send(command as never)).rejects.toMatchObject({
        name: "DryRunOperation",
        message: "Request would have succeeded, but DryRun flag is set.",
        $metadata: { httpStatusCode: 412 },
      });
    }
    // Without DryRun (or with it false), the same call answers its result.
    const { Vpcs } = await ec2(KEYS.reader).send(new DescribeVpcsCommand({ DryRun: false }));
    expect(Vpcs?.length).toBeGreaterThan(0);
  });

  it("answers UnauthorizedOperation to a DryRun the caller may not do, and DryRunOperation to one it may", async () => {
    await expect(
      ec2(KEYS.nobody).send(new DescribeVpcsCommand({ DryRun: true })),
    ).rejects.toMatchObject({
      name: "UnauthorizedOperation",
      $metadata: { httpStatusCode: 403 },
      message: expect.stringContaining(
        `arn:aws:iam::${MAIN}:user/nobody is not authorized to perform: ec2:DescribeVpcs`,
      ) as unknown,
    });
    await expect(
      ec2(KEYS.admin).send(new DescribeVpcsCommand({ DryRun: true })),
    ).rejects.toMatchObject({ name: "DryRunOperation" });
  });
});
