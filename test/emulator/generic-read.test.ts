import { XMLParser } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator, type WorldInput } from "../../emulator/index.js";
import { send, signedRequest } from "./signed-request.js";
import { KEYS, MAIN, testWorld } from "./test-world.js";

// Services the emulator has no code for are served from world data through the AWS models alone.
let emulator: Emulator;

beforeAll(async () => {
  const world: WorldInput = testWorld();
  const main = world.accounts[0];
  if (main?.resources?.["us-east-1"] === undefined) throw new Error("fixture changed");
  main.resources["us-east-1"].rds = {
    DBInstances: ["orders", "billing", "search"].map((id) => ({
      DBInstanceIdentifier: id,
      DBInstanceClass: "db.r6g.large",
      Engine: "postgres",
      DBInstanceStatus: "available",
      InstanceCreateTime: "2025-03-01T00:00:00Z",
      DBInstanceArn: `arn:aws:rds:us-east-1:${MAIN}:db:${id}`,
    })),
  };
  main.resources["us-east-1"].dynamodb = { TableNames: ["orders", "sessions"] };
  emulator = await startEmulator({ world });
});
afterAll(async () => {
  await emulator.close();
});

describe("generic read handler", () => {
  it("answers rds:DescribeDBInstances from world data with the model's Marker pagination", async () => {
    const call = async (extra: Record<string, string>) =>
      send(
        await signedRequest({
          url: emulator.url,
          service: "rds",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({
            Action: "DescribeDBInstances",
            Version: "2014-10-31",
            ...extra,
          }).toString(),
          credentials: KEYS.reader,
        }),
      );
    const parser = new XMLParser({ isArray: (name) => name === "DBInstance" });
    const first = parser.parse(await (await call({ MaxRecords: "20" })).text()) as {
      DescribeDBInstancesResponse: {
        DescribeDBInstancesResult: {
          DBInstances: {
            DBInstance: { DBInstanceIdentifier: string; InstanceCreateTime: string }[];
          };
          Marker?: string;
        };
      };
    };
    const result = first.DescribeDBInstancesResponse.DescribeDBInstancesResult;
    expect(result.DBInstances.DBInstance.map((d) => d.DBInstanceIdentifier)).toEqual([
      "orders",
      "billing",
      "search",
    ]);
    expect(result.DBInstances.DBInstance[0]?.InstanceCreateTime).toBe("2025-03-01T00:00:00.000Z");
    expect(result.Marker).toBeUndefined();
  });

  it("answers dynamodb:ListTables (JSON 1.0) from world data", async () => {
    const response = await send(
      await signedRequest({
        url: emulator.url,
        service: "dynamodb",
        headers: {
          "content-type": "application/x-amz-json-1.0",
          "x-amz-target": "DynamoDB_20120810.ListTables",
        },
        body: "{}",
        credentials: KEYS.reader,
      }),
    );
    expect(response.headers.get("content-type")).toBe("application/x-amz-json-1.0");
    expect(await response.json()).toEqual({ TableNames: ["orders", "sessions"] });
  });

  it("authorizes generic reads like any other call", async () => {
    const response = await send(
      await signedRequest({
        url: emulator.url,
        service: "dynamodb",
        headers: {
          "content-type": "application/x-amz-json-1.0",
          "x-amz-target": "DynamoDB_20120810.ListTables",
        },
        body: "{}",
        credentials: KEYS.nobody,
      }),
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: "AccessDeniedException" });
  });

  it("answers a write the emulator does not implement with 501 NotImplemented", async () => {
    const response = await send(
      await signedRequest({
        url: emulator.url,
        service: "dynamodb",
        headers: {
          "content-type": "application/x-amz-json-1.0",
          "x-amz-target": "DynamoDB_20120810.DeleteTable",
        },
        body: '{"TableName":"orders"}',
        credentials: KEYS.admin,
      }),
    );
    expect(response.status).toBe(501);
    expect(await response.json()).toMatchObject({ __type: "NotImplemented" });
  });
});
