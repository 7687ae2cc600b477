import { afterAll, beforeAll, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../emulator/index.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { DEMO_WORLD, useDemoExternalId, useEmulatorAsInstance } from "../helpers/demo-setup.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

const PROD_ROLE = "arn:aws:iam::222222222222:role/switchboard-read";
const MGMT_ADMIN = {
  id: "AKIAMANAGEMENTADMIN1",
  secret: "management-admin-secret-0000000000000000",
};

interface Single {
  run: { id: string; status: string; durationMs: number };
  output: Record<string, unknown>;
}

describeEachDatabase("actions against the AWS emulator", (suite) => {
  let t: TestApp;
  let emulator: Emulator;
  let restoreEnv: () => void;

  beforeAll(async () => {
    emulator = await startEmulator({ world: DEMO_WORLD, knobs: { queryPolls: 3 } });
    restoreEnv = useEmulatorAsInstance(emulator.url);
    t = await createTestApp(suite.handle().db);
    await useDemoExternalId(suite.handle().db);
    await t.call("PUT", "/api/v1/settings/outbound", {
      body: { allow: ["*.amazonaws.com", `127.0.0.1:${emulator.port}`] },
    });
    await t.call("POST", "/api/v1/secrets", {
      body: { path: "keys/system/mgmt-admin", value: MGMT_ADMIN.secret },
    });
    const common = { endpoint: emulator.url, regions: ["us-east-1", "eu-west-1"] };
    for (const body of [
      { name: "prod-read", method: "assume_role", roleArn: PROD_ROLE, ...common },
      { name: "prod-view", method: "assume_role", roleArn: PROD_ROLE, access: "view", ...common },
      { name: "prod-full", method: "assume_role", roleArn: PROD_ROLE, access: "full", ...common },
      {
        name: "mgmt-read",
        method: "access_key",
        accessKeyId: MGMT_ADMIN.id,
        secretPath: "keys/system/mgmt-admin",
        ...common,
      },
      {
        name: "mgmt-full",
        method: "access_key",
        accessKeyId: MGMT_ADMIN.id,
        secretPath: "keys/system/mgmt-admin",
        access: "full",
        ...common,
      },
    ]) {
      const created = await t.call("POST", "/api/v1/connections", { body });
      expect(created.statusCode, created.body).toBe(201);
      // A test learns the account id each run result names.
      expect(
        (await t.call("POST", `/api/v1/connections/${body.name}/test`)).json<{ ok: boolean }>().ok,
      ).toBe(true);
    }
  });
  afterAll(async () => {
    restoreEnv();
    await t.close();
    await emulator.close();
  });

  async function run(id: string, body: Record<string, unknown>) {
    return t.call("POST", `/api/v1/actions/${id}/run`, { body });
  }
  async function ok(
    id: string,
    input: Record<string, unknown>,
    connection = "prod-read",
    extra: Record<string, unknown> = {},
  ): Promise<Single> {
    const response = await run(id, { connection, region: "us-east-1", input, ...extra });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<Single>();
  }

  it("lists the catalog with IAM permissions and access levels", async () => {
    const catalog = (await t.call("GET", "/api/v1/actions")).json<{
      items: {
        id: string;
        permissions: { action: string; accessLevel: string }[];
        accessLevel: string;
        inputSchema: { type: string };
      }[];
    }>();
    const ids = catalog.items.map((a) => a.id);
    for (const id of [
      "aws.sts.getCallerIdentity",
      "aws.account.listRegions",
      "aws.ec2.describeInstances",
      "aws.ecs.listServices",
      "aws.s3.getBucketPolicy",
      "aws.lambda.getFunctionConfiguration",
      "aws.secretsmanager.listSecrets",
      "aws.logs.runSavedQuery",
      "aws.call",
    ]) {
      expect(ids).toContain(id);
    }
    const saved = catalog.items.find((a) => a.id === "aws.logs.runSavedQuery");
    expect(saved?.permissions.map((p) => p.action).sort()).toEqual([
      "logs:DescribeQueryDefinitions",
      "logs:GetQueryResults",
      "logs:StartQuery",
    ]);
    expect(catalog.items.find((a) => a.id === "aws.s3.listBuckets")?.permissions).toEqual([
      { action: "s3:ListAllMyBuckets", accessLevel: "List" },
    ]);
    expect(saved?.inputSchema.type).toBe("object");
  });

  it("runs every catalog action on a read connection, following pages", async () => {
    expect((await ok("aws.sts.getCallerIdentity", {})).output).toMatchObject({
      Account: "222222222222",
    });
    expect((await ok("aws.ec2.describeInstances", {})).output.Reservations).toHaveLength(3);
    const running = await ok("aws.ec2.describeInstances", {
      Filters: [{ Name: "instance-state-name", Values: ["running"] }],
    });
    expect(JSON.stringify(running.output)).not.toContain("i-0b1b2c3d4e5f60003");
    expect((await ok("aws.ec2.describeVpcs", {})).output.Vpcs).toHaveLength(1);
    expect((await ok("aws.ec2.describeSubnets", {})).output.Subnets).toHaveLength(2);
    expect((await ok("aws.ec2.describeSecurityGroups", {})).output.SecurityGroups).toHaveLength(2);
    expect((await ok("aws.ecs.listClusters", {})).output.clusterArns).toEqual([
      "arn:aws:ecs:us-east-1:222222222222:cluster/web",
    ]);
    expect(
      (await ok("aws.ecs.describeClusters", { clusters: ["web"] })).output.clusters,
    ).toHaveLength(1);
    expect((await ok("aws.ecs.listServices", { cluster: "web" })).output.serviceArns).toHaveLength(
      2,
    );
    expect((await ok("aws.s3.listBuckets", {})).output.Buckets).toHaveLength(2);
    // The production bucket's policy denies plain http, as a real one would: read the management one.
    const policy = await ok(
      "aws.s3.getBucketPolicy",
      { Bucket: "demo-management-cloudtrail" },
      "mgmt-read",
    );
    expect(policy.output.Policy).toMatchObject({ Version: "2012-10-17" });
    emulator.resetCounters();
    const functions = await ok("aws.lambda.listFunctions", {}, "prod-read", { pageSize: 1 });
    expect(functions.output.Functions).toHaveLength(2);
    expect(emulator.counters().byOperation["lambda:ListFunctions"]).toBe(2);
    expect(
      (await ok("aws.lambda.getFunctionConfiguration", { FunctionName: "thumbnailer" })).output,
    ).toMatchObject({ FunctionName: "thumbnailer" });
    const secrets = await ok("aws.secretsmanager.listSecrets", {}, "prod-read", { pageSize: 1 });
    expect(secrets.output.SecretList).toHaveLength(2);
    expect(
      (await ok("aws.logs.describeQueryDefinitions", {})).output.queryDefinitions,
    ).toHaveLength(1);
    const regions = await ok("aws.account.listRegions", {});
    expect((regions.output.Regions as unknown[]).length).toBeGreaterThan(1);
  });

  it("runs a Logs Insights query that completes after several polls, and a saved one by name", async () => {
    const query = await ok("aws.logs.runQuery", {
      logGroupNames: ["/ecs/frontend"],
      queryString: "stats count() by path",
      pollIntervalMs: 100,
    });
    expect(query.output).toMatchObject({
      status: "Complete",
      polls: 4,
      rows: [
        { path: "/checkout", "count()": "42" },
        { path: "/login", "count()": "7" },
      ],
    });
    const saved = await ok("aws.logs.runSavedQuery", {
      name: "errors-by-path",
      pollIntervalMs: 100,
    });
    expect(saved.output).toMatchObject({
      status: "Complete",
      rows: [{ path: "/checkout" }, { path: "/login" }],
    });
    const missing = await run("aws.logs.runSavedQuery", {
      connection: "prod-read",
      region: "us-east-1",
      input: { name: "nope", pollIntervalMs: 100 },
    });
    expect(missing.statusCode).toBe(400);
  });

  it("refuses writes on a read connection before any request leaves", async () => {
    emulator.resetCounters();
    for (const [service, operation, input] of [
      ["ec2", "TerminateInstances", { InstanceIds: ["i-0b1b2c3d4e5f60001"] }],
      ["s3", "PutBucketPolicy", { Bucket: "demo-production-assets", Policy: "{}" }],
      ["secretsmanager", "DeleteSecret", { SecretId: "prod/db" }],
    ] as const) {
      const response = await run("aws.call", {
        connection: "mgmt-read",
        region: "us-east-1",
        input: { service, operation, input },
      });
      expect(response.statusCode, response.body).toBe(403);
      const error = response.json<{ error: { code: string; message: string } }>().error;
      expect(error.code).toBe("ACCESS_REFUSED");
      expect(error.message).toMatch(
        /\(access level (Write|Permissions management)\).*connection mgmt-read.*access is read \(AWS managed ReadOnlyAccess\)/,
      );
    }
    expect(emulator.counters().total).toBe(0);
  });

  it("on a view connection refuses reading secrets and objects but describes instances", async () => {
    emulator.resetCounters();
    for (const [service, operation, input] of [
      ["secretsmanager", "GetSecretValue", { SecretId: "prod/db" }],
      ["s3", "GetObject", { Bucket: "demo-production-assets", Key: "x" }],
    ] as const) {
      const response = await run("aws.call", {
        connection: "prod-view",
        region: "us-east-1",
        input: { service, operation, input },
      });
      expect(response.statusCode, response.body).toBe(403);
    }
    expect(emulator.counters().total).toBe(0);
    const described = await ok(
      "aws.call",
      { service: "ec2", operation: "DescribeInstances", input: {} },
      "prod-view",
    );
    expect(described.output.Reservations).toHaveLength(3);
  });

  it("passes AWS's AccessDenied on in words when a full connection's role lacks the permission", async () => {
    const response = await run("aws.call", {
      connection: "prod-full",
      region: "us-east-1",
      input: {
        service: "ec2",
        operation: "TerminateInstances",
        input: { InstanceIds: ["i-0b1b2c3d4e5f60001"] },
      },
    });
    expect(response.statusCode).toBe(502);
    const error = response.json<{ error: { code: string; message: string } }>().error;
    expect(error.code).toBe("AWS_ERROR");
    expect(error.message).toMatch(
      /UnauthorizedOperation.*is not authorized to perform: ec2:TerminateInstances/,
    );
  });

  it("checks the input, the region and the action before running", async () => {
    expect(
      (await run("aws.nope.nothing", { connection: "prod-read", region: "us-east-1" })).statusCode,
    ).toBe(404);
    const bad = await run("aws.ecs.listServices", {
      connection: "prod-read",
      region: "us-east-1",
      input: { cluster: 3 },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { field: string } }>().error.field).toBe("input.cluster");
    const region = await run("aws.sts.getCallerIdentity", {
      connection: "prod-read",
      region: "ap-south-1",
      input: {},
    });
    expect(region.statusCode).toBe(400);
    expect(region.json<{ error: { code: string } }>().error.code).toBe("REGION_NOT_ALLOWED");
    const unknownOp = await run("aws.call", {
      connection: "prod-read",
      region: "us-east-1",
      input: { service: "ec2", operation: "FlyToTheMoon" },
    });
    expect(unknownOp.statusCode).toBe(400);
  });

  it("records each run with who, where and how it went, output secrets masked", async () => {
    const secretRun = await ok(
      "aws.call",
      { service: "sts", operation: "GetCallerIdentity", input: {} },
      "prod-read",
    );
    const runs = (await t.call("GET", "/api/v1/runs?limit=50")).json<{
      items: { id: string; actionId: string; actor: string; status: string }[];
    }>();
    expect(runs.items[0]).toMatchObject({
      id: secretRun.run.id,
      actor: "user:admin",
      actionId: "aws.call",
      status: "succeeded",
    });
    expect(runs.items.map((r) => r.status)).toContain("failed");
    const detail = (await t.call("GET", `/api/v1/runs/${secretRun.run.id}`)).json<{
      results: {
        connection: string;
        accountId: string;
        region: string;
        status: string;
        output: unknown;
      }[];
    }>();
    expect(detail.results).toEqual([
      expect.objectContaining({
        connection: "prod-read",
        accountId: "222222222222",
        region: "us-east-1",
        status: "succeeded",
        output: expect.objectContaining({ Account: "222222222222" }) as unknown,
      }),
    ]);
    // Credentials in an output are masked in the answer and in the stored run.
    const assumed = await ok(
      "aws.call",
      {
        service: "sts",
        operation: "AssumeRole",
        input: {
          RoleArn: PROD_ROLE,
          RoleSessionName: "masking-test",
          ExternalId: "sb-demo-external-id",
        },
      },
      "mgmt-full",
    );
    expect(assumed.output.Credentials).toMatchObject({
      SecretAccessKey: "[redacted]",
      SessionToken: "[redacted]",
    });
    const stored = (await t.call("GET", `/api/v1/runs/${assumed.run.id}`)).body;
    expect(stored).toContain("[redacted]");
    expect(stored).not.toMatch(/"SessionToken":"(?!\[redacted\])/);
    const audit = (await t.call("GET", "/api/v1/audit?action=action.run")).json<{
      items: { outcome: string }[];
    }>();
    expect(audit.items.map((e) => e.outcome)).toEqual(
      expect.arrayContaining(["success", "denied"]),
    );
  });

  it("generates the minimal policy for a set of actions", async () => {
    const policy = (
      await t.call("POST", "/api/v1/policies/minimal", {
        body: { actions: ["aws.logs.runSavedQuery"] },
      })
    ).json<{ Statement: { Action: string[]; Resource: string }[] }>();
    expect(policy.Statement).toHaveLength(1);
    expect(policy.Statement[0]?.Action).toEqual([
      "logs:DescribeQueryDefinitions",
      "logs:GetQueryResults",
      "logs:StartQuery",
    ]);
    const mixed = (
      await t.call("POST", "/api/v1/policies/minimal", {
        body: { actions: ["aws.s3.listBuckets", { service: "ec2", operation: "DescribeVpcs" }] },
      })
    ).json<{ Statement: { Action: string[] }[] }>();
    expect(mixed.Statement.flatMap((s) => s.Action).sort()).toEqual([
      "ec2:DescribeVpcs",
      "s3:ListAllMyBuckets",
    ]);
  });

  it("puts a run that can change something on record before its request leaves; a quick read is written once, when done", async () => {
    const runningOf = async (actionId: string) =>
      (await t.call("GET", "/api/v1/runs?limit=20"))
        .json<{ items: { actionId: string; status: string }[] }>()
        .items.filter((r) => r.actionId === actionId && r.status === "running");
    emulator.setKnobs({ queryPolls: 3, latencyMs: 600 });
    try {
      const mutating = run("aws.call", {
        connection: "prod-full",
        region: "us-east-1",
        input: {
          service: "ec2",
          operation: "CreateTags",
          input: { Resources: ["i-0b1b2c3d4e5f60001"], Tags: [{ Key: "k", Value: "v" }] },
        },
      });
      await expect.poll(() => runningOf("aws.call"), { timeout: 5_000 }).toHaveLength(1);
      expect((await mutating).statusCode).toBeGreaterThanOrEqual(200);
      expect(await runningOf("aws.call")).toHaveLength(0);

      const read = run("aws.ec2.describeVpcs", {
        connection: "prod-read",
        region: "us-east-1",
        input: {},
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await runningOf("aws.ec2.describeVpcs")).toHaveLength(0);
      const done = (await read).json<Single>();
      const listed = (await t.call("GET", "/api/v1/runs?limit=20"))
        .json<{ items: { id: string; status: string }[] }>()
        .items.find((r) => r.id === done.run.id);
      expect(listed?.status).toBe("succeeded");
    } finally {
      emulator.setKnobs({ queryPolls: 3 });
    }
  });
});
