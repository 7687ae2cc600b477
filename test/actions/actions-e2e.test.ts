import { afterAll, beforeAll, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../emulator/index.js";
import { DEMO_REGIONS } from "../../scripts/demo-stack.js";
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

/** Runs the exercised action on the production connection (or the management one) of a case. */
type RunAction = (
  input: Record<string, unknown>,
  options?: { account?: "production" | "management"; pageSize?: number },
) => Promise<Record<string, unknown>>;

interface Exercise {
  /** Runs the action, on the demo world's production account unless it says otherwise, and checks the output. */
  check(run: RunAction): Promise<void>;
  /** The operation a run with `pageSize` calls once per page, and the number of pages. */
  pages?: [operation: string, count: number];
}

const pluck = (items: unknown, key: string) =>
  (items as Record<string, unknown>[]).map((item) => item[key]);

/** Every catalog action but aws.call, with what it returns from the demo world on any connection that may read. */
const EXERCISES: Record<string, Exercise> = {
  "aws.sts.getCallerIdentity": {
    async check(run) {
      expect(await run({})).toMatchObject({
        Account: "222222222222",
        Arn: expect.stringMatching(
          /^arn:aws:sts::222222222222:assumed-role\/switchboard-read\//,
        ) as unknown,
      });
    },
  },
  "aws.account.listRegions": {
    pages: ["account:ListRegions", 3],
    async check(run) {
      const { Regions } = await run({}, { pageSize: 2 });
      // Every region of the demo world, the ones the demo's connections run in.
      expect(pluck(Regions, "RegionName")).toEqual(DEMO_REGIONS);
    },
  },
  "aws.ec2.describeInstances": {
    async check(run) {
      const instanceIds = (output: Record<string, unknown>) =>
        (output.Reservations as { Instances: unknown }[]).flatMap((r) =>
          pluck(r.Instances, "InstanceId"),
        );
      expect(instanceIds(await run({}))).toEqual([
        "i-0b1b2c3d4e5f60001",
        "i-0b1b2c3d4e5f60002",
        "i-0b1b2c3d4e5f60003",
      ]);
      const running = await run({
        Filters: [{ Name: "instance-state-name", Values: ["running"] }],
      });
      expect(instanceIds(running)).toEqual(["i-0b1b2c3d4e5f60001", "i-0b1b2c3d4e5f60002"]);
    },
  },
  "aws.ec2.describeVpcs": {
    async check(run) {
      expect(pluck((await run({})).Vpcs, "VpcId")).toEqual(["vpc-0b1b2c3d4e5f60001"]);
    },
  },
  "aws.ec2.describeSubnets": {
    async check(run) {
      expect(pluck((await run({})).Subnets, "SubnetId")).toEqual([
        "subnet-0b1b2c3d4e5f60001",
        "subnet-0b1b2c3d4e5f60002",
      ]);
    },
  },
  "aws.ec2.describeSecurityGroups": {
    async check(run) {
      expect(pluck((await run({})).SecurityGroups, "GroupName")).toEqual(["web", "db"]);
    },
  },
  "aws.ecs.listClusters": {
    async check(run) {
      expect((await run({})).clusterArns).toEqual([
        "arn:aws:ecs:us-east-1:222222222222:cluster/web",
      ]);
    },
  },
  "aws.ecs.describeClusters": {
    async check(run) {
      expect((await run({ clusters: ["web"] })).clusters).toMatchObject([
        { clusterName: "web", status: "ACTIVE", activeServicesCount: 2 },
      ]);
    },
  },
  "aws.ecs.listServices": {
    pages: ["ecs:ListServices", 2],
    async check(run) {
      expect((await run({ cluster: "web" }, { pageSize: 1 })).serviceArns).toEqual([
        "arn:aws:ecs:us-east-1:222222222222:service/web/frontend",
        "arn:aws:ecs:us-east-1:222222222222:service/web/api",
      ]);
    },
  },
  "aws.s3.listBuckets": {
    pages: ["s3:ListBuckets", 2],
    async check(run) {
      expect(pluck((await run({}, { pageSize: 1 })).Buckets, "Name")).toEqual([
        "demo-production-assets",
        "demo-production-logs",
      ]);
    },
  },
  "aws.s3.getBucketPolicy": {
    async check(run) {
      // The production bucket's policy denies plain http, as a real one would: read the management one.
      const { Policy } = await run(
        { Bucket: "demo-management-cloudtrail" },
        { account: "management" },
      );
      expect(Policy).toMatchObject({
        Version: "2012-10-17",
        Statement: [{ Sid: "AWSCloudTrailWrite", Effect: "Allow", Action: "s3:PutObject" }],
      });
    },
  },
  "aws.lambda.listFunctions": {
    pages: ["lambda:ListFunctions", 2],
    async check(run) {
      expect(pluck((await run({}, { pageSize: 1 })).Functions, "FunctionName")).toEqual([
        "thumbnailer",
        "nightly-report",
      ]);
    },
  },
  "aws.lambda.getFunctionConfiguration": {
    async check(run) {
      expect(await run({ FunctionName: "thumbnailer" })).toMatchObject({
        FunctionName: "thumbnailer",
        Runtime: "nodejs20.x",
        MemorySize: 512,
      });
    },
  },
  "aws.secretsmanager.listSecrets": {
    pages: ["secretsmanager:ListSecrets", 2],
    async check(run) {
      expect(pluck((await run({}, { pageSize: 1 })).SecretList, "Name")).toEqual([
        "prod/db",
        "prod/stripe",
      ]);
    },
  },
  "aws.logs.describeQueryDefinitions": {
    async check(run) {
      expect((await run({})).queryDefinitions).toMatchObject([
        { name: "errors-by-path", logGroupNames: ["/ecs/frontend"] },
      ]);
    },
  },
  "aws.logs.runQuery": {
    async check(run) {
      const query = await run({
        logGroupNames: ["/ecs/frontend"],
        queryString: "stats count() by path",
        pollIntervalMs: 100,
      });
      // The emulator answers Running to the first three polls (knobs.queryPolls).
      expect(query).toMatchObject({
        status: "Complete",
        polls: 4,
        rows: [
          { path: "/checkout", "count()": "42" },
          { path: "/login", "count()": "7" },
        ],
      });
    },
  },
  "aws.logs.runSavedQuery": {
    async check(run) {
      expect(await run({ name: "errors-by-path", pollIntervalMs: 100 })).toMatchObject({
        status: "Complete",
        polls: 4,
        rows: [{ path: "/checkout" }, { path: "/login" }],
      });
    },
  },
};

describeEachDatabase("actions against the AWS emulator", (suite) => {
  let t: TestApp;
  let emulator: Emulator;
  let restoreEnv: () => void;

  beforeAll(async () => {
    emulator = await startEmulator({ world: DEMO_WORLD, knobs: { queryPolls: 3 } });
    restoreEnv = useEmulatorAsInstance(emulator.url);
    t = await createTestApp(suite.handle().db);
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
      await useDemoExternalId(suite.handle().db);
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

  it.each([
    ["read", { production: "prod-read", management: "mgmt-read" }],
    ["full", { production: "prod-full", management: "mgmt-full" }],
  ] as const)(
    "runs every catalog action on a %s connection, following pages",
    async (_access, connections) => {
      const catalog = (await t.call("GET", "/api/v1/actions")).json<{ items: { id: string }[] }>();
      const ids = catalog.items.map((a) => a.id).filter((id) => id !== "aws.call");
      // A catalog action without an exercise fails here rather than going untested.
      expect(Object.keys(EXERCISES).sort()).toEqual(ids.sort());
      emulator.resetCounters();
      // Concurrently, to keep the suite quick: each operation whose pages are counted is called
      // by one exercise only.
      await Promise.all(
        Object.entries(EXERCISES).map(([id, exercise]) =>
          exercise.check(async (input, options = {}) => {
            const { account = "production", ...extra } = options;
            return (await ok(id, input, connections[account], extra)).output;
          }),
        ),
      );
      const calls = emulator.counters().byOperation;
      for (const [id, exercise] of Object.entries(EXERCISES)) {
        if (exercise.pages === undefined) continue;
        const [operation, count] = exercise.pages;
        expect(calls[operation], `${id}: pages of ${operation}`).toBe(count);
      }
    },
  );

  it("refuses to run a saved Logs Insights query that does not exist", async () => {
    const missing = await run("aws.logs.runSavedQuery", {
      connection: "prod-read",
      region: "us-east-1",
      input: { name: "nope", pollIntervalMs: 100 },
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json<{ error: { message: string; field: string } }>().error).toEqual(
      expect.objectContaining({
        message: "no saved Logs Insights query is named nope in this account and region",
        field: "input.name",
      }),
    );
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
    const bare = await t.call("POST", "/api/v1/policies/minimal", {
      body: { actions: ["aws.ec2.describeVpcs", "aws.call"] },
    });
    expect(bare.statusCode).toBe(400);
    expect(bare.json<{ error: { field: string; message: string } }>().error).toEqual(
      expect.objectContaining({
        field: "actions.1",
        message: expect.stringMatching(
          /^aws\.call needs the permission of the operation it calls/,
        ) as unknown,
      }),
    );
  });

  it("puts every run on record as running before its request leaves, a quick read as well as a change", async () => {
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
      await expect
        .poll(() => runningOf("aws.ec2.describeVpcs"), { timeout: 5_000 })
        .toHaveLength(1);
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
