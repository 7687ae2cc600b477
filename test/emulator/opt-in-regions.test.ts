import { AccountClient, ListRegionsCommand } from "@aws-sdk/client-account";
import {
  CloudWatchLogsClient,
  DescribeQueryDefinitionsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { DescribeInstancesCommand, DescribeRegionsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWorld, startEmulator, type Emulator, WorldError } from "../../emulator/index.js";
import { EXTERNAL_ID, KEYS, MAIN, MEMBER, testWorld } from "./test-world.js";

type Credentials = {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
};

// The main account has enabled ap-east-1; no account has enabled af-south-1.
function world() {
  const input = testWorld();
  input.optInRegions = ["af-south-1", "ap-east-1"];
  const main = input.accounts[0];
  if (main === undefined) throw new Error("fixture changed");
  main.enabledRegions = ["ap-east-1"];
  return input;
}

let emulator: Emulator;
let member: Credentials;

function config(region: string, credentials: Credentials = KEYS.reader) {
  return { endpoint: emulator.url, region, credentials, maxAttempts: 1 };
}

beforeAll(async () => {
  emulator = await startEmulator({ world: world() });
  const { Credentials: assumed } = await new STSClient(config("us-east-1", KEYS.assumer)).send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${MEMBER}:role/switchboard-read`,
      RoleSessionName: "opt-in",
      ExternalId: EXTERNAL_ID,
    }),
  );
  member = {
    accessKeyId: assumed?.AccessKeyId ?? "",
    secretAccessKey: assumed?.SecretAccessKey ?? "",
    sessionToken: assumed?.SessionToken ?? "",
  };
});
afterAll(async () => {
  await emulator.close();
});

describe("opt-in regions", () => {
  it("DescribeRegions lists an opt-in region the account has not enabled only with AllRegions, as not-opted-in", async () => {
    const ec2 = new EC2Client(config("us-east-1"));
    const enabled = await ec2.send(new DescribeRegionsCommand({}));
    expect(enabled.Regions?.map((r) => [r.RegionName, r.OptInStatus])).toEqual([
      ["us-east-1", "opt-in-not-required"],
      ["eu-west-1", "opt-in-not-required"],
      ["ap-east-1", "opted-in"],
    ]);
    const all = await ec2.send(new DescribeRegionsCommand({ AllRegions: true }));
    expect(all.Regions?.map((r) => [r.RegionName, r.OptInStatus])).toEqual([
      ["us-east-1", "opt-in-not-required"],
      ["eu-west-1", "opt-in-not-required"],
      ["af-south-1", "not-opted-in"],
      ["ap-east-1", "opted-in"],
    ]);
    const filtered = await ec2.send(
      new DescribeRegionsCommand({
        AllRegions: true,
        Filters: [{ Name: "opt-in-status", Values: ["not-opted-in"] }],
      }),
    );
    expect(filtered.Regions?.map((r) => r.RegionName)).toEqual(["af-south-1"]);
  });

  it("account:ListRegions reports each region's status per account: ENABLED_BY_DEFAULT, ENABLED or DISABLED", async () => {
    const main = await new AccountClient(config("us-east-1")).send(new ListRegionsCommand({}));
    expect(main.Regions).toEqual([
      { RegionName: "us-east-1", RegionOptStatus: "ENABLED_BY_DEFAULT" },
      { RegionName: "eu-west-1", RegionOptStatus: "ENABLED_BY_DEFAULT" },
      { RegionName: "af-south-1", RegionOptStatus: "DISABLED" },
      { RegionName: "ap-east-1", RegionOptStatus: "ENABLED" },
    ]);
    const usable = await new AccountClient(config("us-east-1", member)).send(
      new ListRegionsCommand({ RegionOptStatusContains: ["ENABLED", "ENABLED_BY_DEFAULT"] }),
    );
    expect(usable.Regions?.map((r) => r.RegionName)).toEqual(["us-east-1", "eu-west-1"]);
  });

  it("serves an opt-in region the caller's account has enabled", async () => {
    const identity = await new STSClient(config("ap-east-1")).send(
      new GetCallerIdentityCommand({}),
    );
    expect(identity.Account).toBe(MAIN);
    const { Reservations } = await new EC2Client(config("ap-east-1")).send(
      new DescribeInstancesCommand({}),
    );
    expect(Reservations).toEqual([]);
  });

  it.each([
    [
      "EC2",
      (c: Credentials) =>
        new EC2Client(config("af-south-1", c)).send(new DescribeInstancesCommand({})),
      "AuthFailure",
      "AWS was not able to validate the provided access credentials",
      401,
    ],
    [
      "STS",
      (c: Credentials) =>
        new STSClient(config("af-south-1", c)).send(new GetCallerIdentityCommand({})),
      "InvalidClientTokenId",
      "The security token included in the request is invalid.",
      403,
    ],
    [
      "CloudWatch Logs",
      (c: Credentials) =>
        new CloudWatchLogsClient(config("af-south-1", c)).send(
          new DescribeQueryDefinitionsCommand({}),
        ),
      "UnrecognizedClientException",
      "The security token included in the request is invalid.",
      400,
    ],
    [
      "Lambda",
      (c: Credentials) =>
        new LambdaClient(config("af-south-1", c)).send(new ListFunctionsCommand({})),
      "UnrecognizedClientException",
      "The security token included in the request is invalid.",
      403,
    ],
    [
      "S3",
      (c: Credentials) =>
        new S3Client({ ...config("af-south-1", c), forcePathStyle: true }).send(
          new ListBucketsCommand({}),
        ),
      "InvalidAccessKeyId",
      "The AWS Access Key Id you provided does not exist in our records.",
      403,
    ],
  ])(
    "%s in an opt-in region the account has not enabled does not know the caller's credentials",
    async (_, call, name, message, httpStatusCode) => {
      for (const credentials of [KEYS.reader, member])
        await expect(call(credentials)).rejects.toMatchObject({
          name,
          message,
          $metadata: { httpStatusCode },
        });
    },
  );

  it("refuses a session of an account that has not enabled the region, while another account's works there", async () => {
    await expect(
      new EC2Client(config("ap-east-1", member)).send(new DescribeInstancesCommand({})),
    ).rejects.toMatchObject({ name: "AuthFailure" });
    await expect(
      new EC2Client(config("ap-east-1")).send(new DescribeInstancesCommand({})),
    ).resolves.toMatchObject({ Reservations: [] });
  });

  it("refuses a world whose account enables a region that is not one of its opt-in regions", () => {
    const input = world();
    const main = input.accounts[0];
    if (main === undefined) throw new Error("fixture changed");
    main.enabledRegions = ["me-south-1"];
    expect(() => buildWorld(input)).toThrow(
      new WorldError("accounts[0].enabledRegions[0]", "not one of the world's optInRegions"),
    );
  });
});
