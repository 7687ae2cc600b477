import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../emulator/index.js";
import { EXTERNAL_ID, KEYS, MAIN, MEMBER, testWorld } from "./test-world.js";

// The AWS CLI is botocore, an implementation of the protocols independent of the JavaScript SDK:
// if it reads the emulator's answers, the wire format does not depend on our SDK version.
const run = promisify(execFile);
const hasCli = (() => {
  try {
    execFileSync("aws", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ world: testWorld() });
});
afterAll(async () => {
  await emulator.close();
});

async function aws(args: string[], credentials = KEYS.reader): Promise<unknown> {
  const { stdout } = await run(
    "aws",
    ["--endpoint-url", emulator.url, "--region", "us-east-1", "--output", "json", ...args],
    {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "/tmp",
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_CONFIG_FILE: "/dev/null",
        AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
        AWS_PAGER: "",
      },
    },
  );
  return JSON.parse(stdout) as unknown;
}

describe.skipIf(!hasCli)("the AWS CLI against the emulator", () => {
  it("reads Query, EC2, JSON, REST-JSON and REST-XML answers", async () => {
    await expect(aws(["sts", "get-caller-identity"])).resolves.toMatchObject({
      Arn: `arn:aws:iam::${MAIN}:user/reader`,
    });
    await expect(
      aws(["ec2", "describe-instances", "--instance-ids", "i-0000000000000002"]),
    ).resolves.toMatchObject({
      Reservations: [
        { Instances: [{ InstanceId: "i-0000000000000002", State: { Name: "running" } }] },
      ],
    });
    await expect(aws(["ecs", "list-clusters"])).resolves.toEqual({
      clusterArns: [`arn:aws:ecs:us-east-1:${MAIN}:cluster/web`],
    });
    await expect(
      aws(["lambda", "get-function-configuration", "--function-name", "alpha"]),
    ).resolves.toMatchObject({ FunctionName: "alpha" });
    await expect(aws(["s3api", "list-buckets"])).resolves.toMatchObject({
      Buckets: [{ Name: "main-assets" }, { Name: "main-logs" }],
    });
  }, 60_000);

  it("follows the emulator's pagination tokens to the end", async () => {
    const all = (await aws(["ec2", "describe-instances", "--page-size", "5"])) as {
      Reservations: unknown[];
    };
    expect(all.Reservations).toHaveLength(12);
    expect(emulator.counters().byOperation["ec2:DescribeInstances"]).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it("gets AWS's error codes for a denial and for a role it may not assume", async () => {
    const denied = await aws([
      "ec2",
      "terminate-instances",
      "--instance-ids",
      "i-0000000000000002",
    ]).catch((e: { stderr: string }) => e.stderr);
    expect(denied).toContain("UnauthorizedOperation");
    const assume = await aws(
      [
        "sts",
        "assume-role",
        "--role-arn",
        `arn:aws:iam::${MEMBER}:role/switchboard-read`,
        "--role-session-name",
        "cli",
        "--external-id",
        "wrong",
      ],
      KEYS.assumer,
    ).catch((e: { stderr: string }) => e.stderr);
    expect(assume).toContain("AccessDenied");
    await expect(
      aws(
        [
          "sts",
          "assume-role",
          "--role-arn",
          `arn:aws:iam::${MEMBER}:role/switchboard-read`,
          "--role-session-name",
          "cli",
          "--external-id",
          EXTERNAL_ID,
        ],
        KEYS.assumer,
      ),
    ).resolves.toMatchObject({
      AssumedRoleUser: { Arn: `arn:aws:sts::${MEMBER}:assumed-role/switchboard-read/cli` },
    });
  }, 60_000);

  it("sees an unknown EC2 filter refused, a malformed Insights query and a wrong S3 signature in AWS's words", async () => {
    const filter = await aws([
      "ec2",
      "describe-instances",
      "--filters",
      "Name=public-ip,Values=1.2.3.4",
    ]).catch((e: { stderr: string }) => e.stderr);
    expect(filter).toContain(
      "An error occurred (InvalidParameterValue) when calling the DescribeInstances operation: The filter 'public-ip' is invalid",
    );
    const query = await aws([
      "logs",
      "start-query",
      "--log-group-name",
      "/ecs/web",
      "--start-time",
      "0",
      "--end-time",
      "1",
      "--query-string",
      "fields @timestamp | count()",
    ]).catch((e: { stderr: string }) => e.stderr);
    expect(query).toContain(
      "An error occurred (MalformedQueryException) when calling the StartQuery operation: mismatched input 'count' expecting {K_PARSE",
    );
    const s3 = await aws(["s3api", "list-buckets"], {
      ...KEYS.reader,
      secretAccessKey: "wrong-secret-0000000000000000000000000",
    }).catch((e: { stderr: string }) => e.stderr);
    expect(s3).toContain(
      "An error occurred (SignatureDoesNotMatch) when calling the ListBuckets operation: The request signature we calculated does not match the signature you provided. Check your key and signing method.",
    );
  }, 60_000);
});
