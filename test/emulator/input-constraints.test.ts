import {
  DescribeQueryDefinitionsCommand,
  CloudWatchLogsClient,
  StartQueryCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
} from "@aws-sdk/client-dynamodb";
import {
  DeleteSecretCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import {
  GetFunctionConfigurationCommand,
  LambdaClient,
  ListFunctionsCommand,
} from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { failure, httpStatus, sdkHarness } from "./sdk-harness.js";
import { KEYS, testWorld } from "./test-world.js";

// The SDK v3 clients check nothing: a value outside the model's lengths, ranges or patterns reaches
// the service, whose validation layer refuses it before the operation runs (never a 500).
const { config } = sdkHarness(testWorld, { credentials: KEYS.admin });

describe("a value outside its model's constraints", () => {
  it("is Secrets Manager's ValidationException, and deletes nothing", async () => {
    const secrets = new SecretsManagerClient(config());
    const names = async () =>
      ((await secrets.send(new ListSecretsCommand({}))).SecretList ?? []).map((s) => s.Name);
    const before = await names();
    expect(before.length).toBeGreaterThan(0);
    const error = await failure(secrets.send(new DeleteSecretCommand({ SecretId: "" })));
    expect(error).toMatchObject({
      name: "ValidationException",
      message:
        "1 validation error detected: Value '' at 'secretId' failed to satisfy constraint: Member must have length greater than or equal to 1",
    });
    expect(httpStatus(error)).toBe(400);
    expect(await names()).toEqual(before);
  });

  it("names every error found, nested members by their 1-based list path", async () => {
    const error = await failure(
      new SecretsManagerClient(config()).send(
        new ListSecretsCommand({ MaxResults: 101, Filters: [{ Key: "name", Values: ["a$b"] }] }),
      ),
    );
    expect(error).toMatchObject({
      name: "ValidationException",
      message:
        "2 validation errors detected: Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100; " +
        "Value 'a$b' at 'filters.1.member.values.1.member' failed to satisfy constraint: Member must satisfy regular expression pattern: ^\\!?[a-zA-Z0-9 :_@\\/\\+\\=\\.\\-\\!]*$",
    });
    expect(httpStatus(error)).toBe(400);
  });

  it("never shows a sensitive value", async () => {
    const secret = "s3cr3t-".repeat(10_000);
    const error = await failure(
      new SecretsManagerClient(config()).send(
        new PutSecretValueCommand({ SecretId: "prod/db", SecretString: secret }),
      ),
    );
    expect(error).toMatchObject({
      name: "ValidationException",
      message:
        "1 validation error detected: Value at 'secretString' failed to satisfy constraint: Member must have length less than or equal to 65536",
    });
    expect(String(error.message)).not.toContain("s3cr3t");
  });

  it("is DynamoDB's ValidationException, a pattern before a length, enums in the model's order", async () => {
    const dynamodb = new DynamoDBClient(config());
    const empty = await failure(dynamodb.send(new DescribeTableCommand({ TableName: "" })));
    expect(empty).toMatchObject({
      name: "ValidationException",
      message:
        "1 validation error detected: Value '' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 1",
    });
    expect(httpStatus(empty)).toBe(400);

    const start = await failure(
      dynamodb.send(new ListTablesCommand({ ExclusiveStartTableName: "", Limit: 0 })),
    );
    expect(start).toMatchObject({
      name: "ValidationException",
      message:
        "3 validation errors detected: Value '' at 'exclusiveStartTableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; " +
        "Value '' at 'exclusiveStartTableName' failed to satisfy constraint: Member must have length greater than or equal to 3; " +
        "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
    });

    const keyType = await failure(
      dynamodb.send(
        new CreateTableCommand({
          TableName: "orders",
          AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
          KeySchema: [{ AttributeName: "id", KeyType: "SORT" as never }],
          BillingMode: "FREE" as never,
        }),
      ),
    );
    expect(keyType).toMatchObject({
      name: "ValidationException",
      message:
        "2 validation errors detected: Value 'SORT' at 'keySchema.1.member.keyType' failed to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]; " +
        "Value 'FREE' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]",
    });
  });

  it("is Logs' InvalidParameterException", async () => {
    const logs = new CloudWatchLogsClient(config());
    const page = await failure(logs.send(new DescribeQueryDefinitionsCommand({ maxResults: 0 })));
    expect(page).toMatchObject({
      name: "InvalidParameterException",
      message:
        "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
    });
    expect(httpStatus(page)).toBe(400);

    const query = await failure(
      logs.send(
        new StartQueryCommand({
          logGroupNames: ["/app/web", "bad name"],
          startTime: -1,
          endTime: 10,
          queryString: "fields @message",
        }),
      ),
    );
    expect(query).toMatchObject({
      name: "InvalidParameterException",
      message:
        "2 validation errors detected: Value 'bad name' at 'logGroupNames.2.member' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+; " +
        "Value '-1' at 'startTime' failed to satisfy constraint: Member must have value greater than or equal to 0",
    });
  });

  it("is Lambda's ValidationException for path and query members too (REST-JSON)", async () => {
    const lambda = new LambdaClient(config());
    const name = await failure(
      lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "Not Installed" })),
    );
    expect(name).toMatchObject({
      name: "ValidationException",
      message:
        "1 validation error detected: Value 'Not Installed' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST(\\.PUBLISHED)?|[a-zA-Z0-9-_]+))?",
    });
    expect(httpStatus(name)).toBe(400);
    const page = await failure(lambda.send(new ListFunctionsCommand({ MaxItems: 0 })));
    expect(page).toMatchObject({
      name: "ValidationException",
      message:
        "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1",
    });
    expect(httpStatus(page)).toBe(400);
    const fn = await lambda.send(
      new GetFunctionConfigurationCommand({
        FunctionName: `arn:aws:lambda:us-east-1:111111111111:function:alpha`,
      }),
    );
    expect(fn.FunctionName).toBe("alpha");
  });

  it("lets a value within them through", async () => {
    const page = await new SecretsManagerClient(config()).send(
      new ListSecretsCommand({ MaxResults: 100, Filters: [{ Key: "name", Values: ["prod/"] }] }),
    );
    expect((page.SecretList ?? []).length).toBeGreaterThan(0);
  });
});
