import { afterAll, beforeAll, expect, it } from "vitest";
import { startEmulator, type Emulator, type WorldInput } from "../../emulator/index.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

const ACCOUNT = "333333333333";
const ADMIN = { id: "AKIASERVICESADMIN001", secret: "services-admin-secret-00000000000000000" };

// Shaped as AWS returns them (RDS DescribeDBInstances, Glue GetJobs, CloudFormation DescribeStacks,
// Lambda ListFunctions), with the secrets users put where AWS lets them.
const world: WorldInput = {
  regions: ["us-east-1"],
  accounts: [
    {
      id: ACCOUNT,
      name: "services",
      users: [
        {
          name: "admin",
          accessKeys: [{ id: ADMIN.id, secret: ADMIN.secret }],
          policies: ["arn:aws:iam::aws:policy/AdministratorAccess"],
        },
      ],
      resources: {
        "us-east-1": {
          rds: {
            DBInstances: [
              {
                DBInstanceIdentifier: "orders-db",
                DBInstanceClass: "db.t4g.medium",
                Engine: "postgres",
                EngineVersion: "16.3",
                DBInstanceStatus: "available",
                MasterUsername: "orders",
                Endpoint: {
                  Address: "orders-db.c9akciq32.us-east-1.rds.amazonaws.com",
                  Port: 5432,
                },
                AllocatedStorage: 100,
                MultiAZ: true,
                DBInstanceArn: `arn:aws:rds:us-east-1:${ACCOUNT}:db:orders-db`,
              },
            ],
          },
          glue: {
            Jobs: [
              {
                Name: "nightly-etl",
                Role: `arn:aws:iam::${ACCOUNT}:role/glue-etl`,
                Command: { Name: "glueetl", ScriptLocation: "s3://etl-scripts/nightly.py" },
                DefaultArguments: {
                  "--job-language": "python",
                  "--jdbc-url": "jdbc:postgresql://orders-db:5432/orders?password=Gl0oSecret",
                },
                GlueVersion: "4.0",
              },
            ],
          },
          cloudformation: {
            Stacks: [
              {
                StackId: `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/orders/6f1c`,
                StackName: "orders",
                CreationTime: "2026-02-01T09:00:00Z",
                StackStatus: "CREATE_COMPLETE",
                Parameters: [
                  { ParameterKey: "DbAdminPass", ParameterValue: "Cfn-N0Echo-Value" },
                  { ParameterKey: "Stage", ParameterValue: "prod" },
                ],
              },
            ],
          },
          lambda: {
            Functions: [
              {
                FunctionName: "orders-api",
                FunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:orders-api`,
                Runtime: "nodejs20.x",
                Environment: {
                  Variables: { STAGE: "prod" },
                  // AWS echoes the variables it failed to decrypt into this message.
                  Error: {
                    ErrorCode: "KMSAccessDeniedException",
                    Message: "Lambda was unable to decrypt DB_URL=postgres://u:Lmbd4Secret@db",
                  },
                },
              },
            ],
          },
        },
      },
    },
  ],
};

interface RunAnswer {
  run: { id: string; status: string };
  output: Record<string, unknown>;
}

describeEachDatabase("aws.call across the shipped SDK clients", (suite) => {
  let t: TestApp;
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await startEmulator({ world });
    t = await createTestApp(suite.handle().db);
    await t.call("PUT", "/api/v1/settings/outbound", {
      body: { allow: ["*.amazonaws.com", `127.0.0.1:${emulator.port}`] },
    });
    await t.call("POST", "/api/v1/secrets", {
      body: { path: "keys/system/services-admin", value: ADMIN.secret },
    });
    for (const access of ["read", "full"] as const) {
      const created = await t.call("POST", "/api/v1/connections", {
        body: {
          name: `services-${access}`,
          method: "access_key",
          accessKeyId: ADMIN.id,
          secretPath: "keys/system/services-admin",
          access,
          endpoint: emulator.url,
          regions: ["us-east-1"],
        },
      });
      expect(created.statusCode, created.body).toBe(201);
    }
  });
  afterAll(async () => {
    await t?.close();
    await emulator?.close();
  });

  async function run(actionId: string, input: Record<string, unknown>, connection = "read") {
    return t.call("POST", `/api/v1/actions/${actionId}/run`, {
      body: { connection: `services-${connection}`, region: "us-east-1", input },
    });
  }

  async function storedOutput(runId: string): Promise<unknown> {
    const detail = (await t.call("GET", `/api/v1/runs/${runId}`)).json<{
      results: { output?: unknown }[];
    }>();
    return detail.results[0]?.output;
  }

  it("reaches RDS DescribeDBInstances through aws.call, the README's example", async () => {
    emulator.resetCounters();
    const response = await run("aws.call", {
      service: "rds",
      operation: "DescribeDBInstances",
      input: {},
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json<RunAnswer>().output.DBInstances).toMatchObject([
      {
        DBInstanceIdentifier: "orders-db",
        Engine: "postgres",
        Endpoint: { Address: "orders-db.c9akciq32.us-east-1.rds.amazonaws.com", Port: 5432 },
        MultiAZ: true,
      },
    ]);
    expect(emulator.counters().byOperation["rds:DescribeDBInstances"]).toBe(1);
  });

  it("answers an unknown service with 400 naming input.service, the closest match and the services available", async () => {
    emulator.resetCounters();
    for (const [service, closest] of [
      ["rdss", "rds"],
      ["dynamo", "dynamodb"],
      ["stepfunction", "stepfunctions"],
    ] as const) {
      const response = await run("aws.call", { service, operation: "DescribeThings" });
      expect(response.statusCode, response.body).toBe(400);
      const error = response.json<{ error: { code: string; field: string; message: string } }>()
        .error;
      expect(error.code).toBe("INVALID_REQUEST");
      expect(error.field).toBe("input.service");
      expect(error.message).toContain(`no AWS SDK client for service "${service}"`);
      expect(error.message).toContain(`did you mean "${closest}"?`);
      expect(error.message).toMatch(/Available: account, acm, api-gateway, .*rds, .*sts, wafv2$/);
    }
    expect(emulator.counters().total).toBe(0);
  });

  it("masks what AWS's model marks and the members it leaves unmarked, in the answer and the stored run", async () => {
    const cases: [string, Record<string, unknown>, (output: Record<string, unknown>) => unknown][] =
      [
        [
          "aws.call",
          { service: "glue", operation: "GetJobs", input: {} },
          (o) => (o.Jobs as { DefaultArguments: unknown }[])[0]?.DefaultArguments,
        ],
        [
          "aws.call",
          { service: "cloudformation", operation: "DescribeStacks", input: {} },
          (o) => (o.Stacks as { Parameters: unknown }[])[0]?.Parameters,
        ],
        [
          "aws.lambda.listFunctions",
          {},
          (o) => (o.Functions as { Environment: unknown }[])[0]?.Environment,
        ],
      ];
    const expected = [
      { "--job-language": "[redacted]", "--jdbc-url": "[redacted]" },
      [
        { ParameterKey: "DbAdminPass", ParameterValue: "[redacted]" },
        { ParameterKey: "Stage", ParameterValue: "[redacted]" },
      ],
      {
        Variables: { STAGE: "[redacted]" },
        Error: { ErrorCode: "KMSAccessDeniedException", Message: "[redacted]" },
      },
    ];
    for (const [index, [actionId, input, pick]] of cases.entries()) {
      const response = await run(actionId, input);
      expect(response.statusCode, response.body).toBe(200);
      const answer = response.json<RunAnswer>();
      expect(pick(answer.output), actionId).toEqual(expected[index]);
      const stored = (await storedOutput(answer.run.id)) as Record<string, unknown>;
      expect(pick(stored), actionId).toEqual(expected[index]);
      expect(JSON.stringify(stored)).not.toMatch(/Gl0oSecret|Cfn-N0Echo|Lmbd4Secret/);
    }
  });

  it("masks the SAML assertion in the stored input of an aws.call to STS AssumeRoleWithSAML", async () => {
    const assertion = Buffer.from("<samlp:Response>signed-by-the-idp</samlp:Response>").toString(
      "base64",
    );
    await run(
      "aws.call",
      {
        service: "sts",
        operation: "AssumeRoleWithSAML",
        input: {
          RoleArn: `arn:aws:iam::${ACCOUNT}:role/saml-admin`,
          PrincipalArn: `arn:aws:iam::${ACCOUNT}:saml-provider/okta`,
          SAMLAssertion: assertion,
        },
      },
      "full",
    );
    const runs = (await t.call("GET", "/api/v1/runs?limit=50")).json<{
      items: { id: string; actionId: string }[];
    }>();
    const inputs = await Promise.all(
      runs.items
        .filter((r) => r.actionId === "aws.call")
        .map(
          async (r) =>
            (await t.call("GET", `/api/v1/runs/${r.id}`)).json<{
              input: { operation?: string; input?: Record<string, unknown> };
            }>().input,
        ),
    );
    const saml = inputs.find((i) => i.operation === "AssumeRoleWithSAML");
    expect(saml?.input).toEqual({
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/saml-admin`,
      PrincipalArn: `arn:aws:iam::${ACCOUNT}:saml-provider/okta`,
      SAMLAssertion: "[redacted]",
    });
  });
});
