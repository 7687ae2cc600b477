import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../emulator/index.js";
import { closestNames } from "../../src/actions/closest-names.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";
import { twoAccounts } from "./two-accounts.js";

interface ErrorAnswer {
  error: {
    code: string;
    message: string;
    field?: string;
    details?: { field: string; suggestions: string[] }[];
  };
}

describe("closest names", () => {
  it("put the name meant first, ignoring AWS's casing, and offer nothing far from what was typed", () => {
    const operations = ["DescribeDBInstances", "DescribeDBClusters", "DescribeDBSnapshots"];
    expect(closestNames("DescribeDbInstance", operations)[0]).toBe("DescribeDBInstances");
    expect(closestNames("describeDBInstances", operations)).toEqual(["DescribeDBInstances"]);
    expect(closestNames("ListBuckets", operations)).toEqual([]);
    expect(closestNames("ec2", ["ec2", "ecs", "ecr", "eks", "efs"]).length).toBeLessThanOrEqual(3);
  });
});

describeEachDatabase("did you mean", (suite) => {
  let t: TestApp;
  let emulator: Emulator;

  beforeAll(async () => {
    t = await createTestApp(suite.handle().db);
    emulator = await twoAccounts(t);
  });
  afterAll(async () => {
    await t?.close();
    await emulator?.close();
  });

  it("answers a mistyped action id with the closest ids, in the message and in details", async () => {
    emulator.resetCounters();
    for (const route of ["run", "plan"]) {
      const response = await t.call("POST", `/api/v1/actions/aws.ec2.describeInstance/${route}`, {
        body: { connection: "a-read", region: "us-east-1", input: {} },
      });
      expect(response.statusCode, response.body).toBe(404);
      const { error } = response.json<ErrorAnswer>();
      expect(error.code).toBe("ACTION_NOT_FOUND");
      expect(error.message).toMatch(
        /^no action aws\.ec2\.describeInstance: did you mean aws\.ec2\.describeInstances\b/,
      );
      expect(error.field).toBe("action");
      expect(error.details?.[0]?.field).toBe("action");
      expect(error.details?.[0]?.suggestions[0]).toBe("aws.ec2.describeInstances");
    }
    expect(emulator.counters().total).toBe(0);
  });

  it("answers an aws.call operation that the service does not have with the closest operations", async () => {
    emulator.resetCounters();
    const response = await t.call("POST", "/api/v1/actions/aws.call/run", {
      body: {
        connection: "a-read",
        region: "us-east-1",
        input: { service: "rds", operation: "DescribeDbInstance" },
      },
    });
    expect(response.statusCode, response.body).toBe(400);
    const { error } = response.json<ErrorAnswer>();
    expect(error.code).toBe("INVALID_REQUEST");
    expect(error.field).toBe("input.operation");
    expect(error.message).toBe(
      "@aws-sdk/client-rds has no operation DescribeDbInstance: did you mean DescribeDBInstances?",
    );
    expect(error.details?.[0]?.field).toBe("input.operation");
    expect(error.details?.[0]?.suggestions[0]).toBe("DescribeDBInstances");
    expect(error.details?.[0]?.suggestions.length).toBeLessThanOrEqual(3);
    expect(emulator.counters().total).toBe(0);
  });

  it("answers an operation nothing resembles without a guess", async () => {
    const response = await t.call("POST", "/api/v1/actions/aws.call/plan", {
      body: {
        connections: "*",
        input: { service: "ec2", operation: "MakeCoffee" },
      },
    });
    expect(response.statusCode, response.body).toBe(400);
    const { error } = response.json<ErrorAnswer>();
    expect(error.message).toBe(
      "@aws-sdk/client-ec2 has no operation MakeCoffee: check its name in the AWS API reference",
    );
    expect(error.details).toEqual([{ field: "input.operation", suggestions: [] }]);
  });

  it("answers an aws.call service that is not shipped with the closest services", async () => {
    const response = await t.call("POST", "/api/v1/actions/aws.call/run", {
      body: {
        connection: "a-read",
        region: "us-east-1",
        input: { service: "dynamo", operation: "ListTables" },
      },
    });
    expect(response.statusCode, response.body).toBe(400);
    const { error } = response.json<ErrorAnswer>();
    expect(error.field).toBe("input.service");
    expect(error.message).toContain('did you mean "dynamodb"?');
    expect(error.details?.[0]).toMatchObject({ field: "input.service" });
    expect(error.details?.[0]?.suggestions[0]).toBe("dynamodb");
  });
});
