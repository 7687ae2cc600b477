import { DeleteStackCommand, CloudFormationClient } from "@aws-sdk/client-cloudformation";
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DescribeInstancesCommand, EC2Client, StopInstancesCommand } from "@aws-sdk/client-ec2";
import { DeleteSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { describe, expect, it } from "vitest";
import { failure, httpStatus, sdkHarness } from "./sdk-harness.js";
import { KEYS, testWorld } from "./test-world.js";

// The SDK v3 clients send what they are given: a required member left out reaches the service,
// which refuses it in its own words before doing anything (never a 200, never a 500).
const { config } = sdkHarness(testWorld, { credentials: KEYS.admin });

describe("a required member left out", () => {
  it("is EC2's MissingParameter, named as on the wire, and stops nothing", async () => {
    const ec2 = new EC2Client(config());
    const running = async () =>
      (await ec2.send(new DescribeInstancesCommand({}))).Reservations?.flatMap(
        (r) => r.Instances ?? [],
      ).filter((i) => i.State?.Name === "running").length;
    const before = await running();
    expect(before).toBeGreaterThan(0);
    const error = await failure(ec2.send(new StopInstancesCommand({} as never)));
    expect(error).toMatchObject({
      name: "MissingParameter",
      message: "The request must contain the parameter InstanceId",
    });
    expect(httpStatus(error)).toBe(400);
    expect(await running()).toBe(before);
  });

  it("is the shared validation error from DynamoDB, Secrets Manager and CloudFormation", async () => {
    const dynamodb = await failure(
      new DynamoDBClient(config()).send(new DescribeTableCommand({} as never)),
    );
    expect(dynamodb).toMatchObject({
      name: "ValidationException",
      message:
        "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null",
    });
    expect(httpStatus(dynamodb)).toBe(400);

    const secrets = await failure(
      new SecretsManagerClient(config()).send(new DeleteSecretCommand({} as never)),
    );
    expect(secrets).toMatchObject({
      name: "ValidationException",
      message:
        "1 validation error detected: Value null at 'secretId' failed to satisfy constraint: Member must not be null",
    });
    expect(httpStatus(secrets)).toBe(400);

    const stacks = await failure(
      new CloudFormationClient(config()).send(new DeleteStackCommand({} as never)),
    );
    expect(stacks).toMatchObject({
      name: "ValidationError",
      message:
        "1 validation error detected: Value null at 'stackName' failed to satisfy constraint: Member must not be null",
    });
    expect(httpStatus(stacks)).toBe(400);
  });
});
