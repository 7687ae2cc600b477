import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DescribeClustersCommand, ECSClient, ListServicesCommand } from "@aws-sdk/client-ecs";
import { ListSecretsCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { describe, expect, it } from "vitest";
import { failure, sdkHarness } from "./sdk-harness.js";
import { classifyAwsError } from "../../src/fan-out/index.js";
import { send, signedRequest } from "./signed-request.js";
import { KEYS, testWorld } from "./test-world.js";

// aws.call hands the SDK whatever a user wrote, and the SDK sends it as given: a value of the wrong
// JSON type reaches the service, whose deserializer refuses it (SerializationException, 400) before
// the operation runs. The emulator used to pass it to its handlers, which failed with a 500.
const { config, url } = sdkHarness(testWorld, { credentials: KEYS.admin });

describe("a JSON value of the wrong type", () => {
  it("is refused with SerializationException in AWS's words, through the SDK clients", async () => {
    const cases: [() => Promise<unknown>, string][] = [
      [
        () =>
          new ECSClient(config()).send(new DescribeClustersCommand({ clusters: "web" } as never)),
        "Expected list or null",
      ],
      [
        () => new ECSClient(config()).send(new ListServicesCommand({ cluster: 5 } as never)),
        "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String",
      ],
      [
        () =>
          new DynamoDBClient(config()).send(new DescribeTableCommand({ TableName: {} } as never)),
        "Start of structure or map found where not expected.",
      ],
      [
        () =>
          new SecretsManagerClient(config()).send(
            new ListSecretsCommand({ Filters: ["name"] } as never),
          ),
        "Expected null",
      ],
      [
        () =>
          new SecretsManagerClient(config()).send(
            new ListSecretsCommand({ MaxResults: "10" } as never),
          ),
        "class java.lang.String can not be converted to an Integer",
      ],
    ];
    for (const [call, message] of cases) {
      const error = await failure(call());
      expect([error.name, error.message]).toEqual(["SerializationException", message]);
      expect((error.$metadata as { httpStatusCode?: number }).httpStatusCode).toBe(400);
      // The fan-out calls it the caller's input, and does not retry it.
      expect(classifyAwsError(error)).toMatchObject({ kind: "invalid_input", retriable: false });
    }
  });

  it("answers the raw body as AWS's JSON services do, nested values included", async () => {
    const call = async (target: string, body: string) =>
      send(
        await signedRequest({
          url: url(),
          service: "logs",
          headers: {
            "content-type": "application/x-amz-json-1.1",
            "x-amz-target": `Logs_20140328.${target}`,
          },
          body,
          credentials: KEYS.admin,
        }),
      );
    const nested = await call(
      "StartQuery",
      JSON.stringify({ logGroupNames: ["app", 7], startTime: 0, endTime: 1, queryString: "x" }),
    );
    expect(nested.status).toBe(400);
    expect(await nested.json()).toEqual({
      __type: "SerializationException",
      Message:
        "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String",
    });
    const list = await call("DescribeQueryDefinitions", "[]");
    expect(await list.json()).toEqual({
      __type: "SerializationException",
      Message: "Start of list found where not expected",
    });
    // Members the model does not have are ignored, as AWS ignores them.
    const unknown = await call("DescribeQueryDefinitions", JSON.stringify({ notAMember: [1, {}] }));
    expect(unknown.status).toBe(200);
  });
});
