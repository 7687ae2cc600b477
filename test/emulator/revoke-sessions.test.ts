import { DescribeInstancesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { ECSClient, ListClustersCommand } from "@aws-sdk/client-ecs";
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity } from "@smithy/types";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../emulator/index.js";
import { EXTERNAL_ID, KEYS, MAIN, MEMBER, testWorld } from "./test-world.js";

const READ_ROLE = `arn:aws:iam::${MEMBER}:role/switchboard-read`;
const CHAIN_ROLE = `arn:aws:iam::${MAIN}:role/chain-start`;

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ world: testWorld() });
});
afterAll(async () => {
  await emulator.close();
});

const clientConfig = (credentials: AwsCredentialIdentity) => ({
  endpoint: emulator.url,
  region: "us-east-1",
  credentials,
  maxAttempts: 1,
});

async function assume(roleArn: string, externalId?: string): Promise<AwsCredentialIdentity> {
  const { Credentials } = await new STSClient(clientConfig(KEYS.assumer)).send(
    new AssumeRoleCommand({
      RoleArn: roleArn,
      RoleSessionName: "revoke-test",
      ...(externalId === undefined ? {} : { ExternalId: externalId }),
    }),
  );
  return {
    accessKeyId: Credentials?.AccessKeyId ?? "",
    secretAccessKey: Credentials?.SecretAccessKey ?? "",
    sessionToken: Credentials?.SessionToken ?? "",
  };
}

async function revoke(roleArn?: string): Promise<number> {
  const query = roleArn === undefined ? "" : `?roleArn=${encodeURIComponent(roleArn)}`;
  const response = await fetch(`${emulator.url}/_emulator/revoke-sessions${query}`, {
    method: "POST",
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { revoked: number }).revoked;
}

const callerOf = (credentials: AwsCredentialIdentity) =>
  new STSClient(clientConfig(credentials)).send(new GetCallerIdentityCommand({}));

it("answers a revoked role session as each service answers a key it never issued", async () => {
  const read = await assume(READ_ROLE, EXTERNAL_ID);
  const chain = await assume(CHAIN_ROLE);

  expect(await revoke(READ_ROLE)).toBe(1);

  const refused = (call: Promise<unknown>) =>
    call.then(
      () => "answered",
      (e: unknown) => e,
    );
  expect(await refused(callerOf(read))).toMatchObject({
    name: "InvalidClientTokenId",
    $metadata: { httpStatusCode: 403 },
  });
  expect(
    await refused(new EC2Client(clientConfig(read)).send(new DescribeInstancesCommand({}))),
  ).toMatchObject({ name: "AuthFailure", $metadata: { httpStatusCode: 401 } });
  expect(
    await refused(new ECSClient(clientConfig(read)).send(new ListClustersCommand({}))),
  ).toMatchObject({ name: "UnrecognizedClientException", $metadata: { httpStatusCode: 400 } });
  expect(
    await refused(
      new S3Client({ ...clientConfig(read), forcePathStyle: true }).send(
        new ListBucketsCommand({}),
      ),
    ),
  ).toMatchObject({ name: "InvalidAccessKeyId", $metadata: { httpStatusCode: 403 } });
  // Another role's session is untouched.
  expect((await callerOf(chain)).Arn).toMatch(/assumed-role\/chain-start\/revoke-test$/);
});

it("revokes every issued session at once, and never a user's access key", async () => {
  const chain = await assume(CHAIN_ROLE);

  expect(await revoke()).toBeGreaterThanOrEqual(1);

  await expect(callerOf(chain)).rejects.toMatchObject({ name: "InvalidClientTokenId" });
  expect((await callerOf(KEYS.assumer)).Arn).toBe(`arn:aws:iam::${MAIN}:user/assumer`);
  // New sessions are issued as before.
  expect((await callerOf(await assume(CHAIN_ROLE))).Account).toBe(MAIN);
});
