import { afterAll, beforeAll, expect, it } from "vitest";
import type { Emulator } from "../../emulator/index.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { signInAsMember } from "../helpers/member.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";
import { ACCOUNT_A, ACCOUNT_B, twoAccounts } from "./two-accounts.js";

interface Plan {
  action: string;
  iamActions: string[];
  accessLevel: string;
  write: boolean;
  single: boolean;
  everyConnection: boolean;
  summary: { total: number; runs: number; refused: number; skipped: number };
  targets: {
    connection: string;
    accountId: string | null;
    region: string;
    outcome: string;
    code?: string;
    reason?: string;
  }[];
}

const STOP = (ids: string[]) => ({
  service: "ec2",
  operation: "StopInstances",
  input: { InstanceIds: ids },
});

describeEachDatabase("the plan of a run", (suite) => {
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

  it("answers a write fan-out's targets, IAM actions and access level, and which are refused or skipped and why, sending nothing", async () => {
    emulator.resetCounters();
    const response = await t.call("POST", "/api/v1/actions/aws.call/plan", {
      body: { connections: "*", regions: ["us-east-1"], input: STOP(["i-41111"]) },
    });
    expect(response.statusCode, response.body).toBe(200);
    const plan = response.json<Plan>();
    expect(plan).toMatchObject({
      action: "aws.call",
      iamActions: ["ec2:StopInstances"],
      accessLevel: "Write",
      write: true,
      single: false,
      everyConnection: false,
      summary: { total: 3, runs: 1, refused: 1, skipped: 1 },
    });
    const byName = Object.fromEntries(plan.targets.map((p) => [p.connection, p]));
    expect(byName["a-full"]).toEqual({
      connection: "a-full",
      accountId: ACCOUNT_A,
      region: "us-east-1",
      outcome: "runs",
    });
    // a-read reaches the same account and region, and a-full may run it: once per (account, region).
    expect(byName["a-read"]).toMatchObject({ outcome: "skipped", code: "SAME_ACCOUNT_REGION" });
    expect(byName["a-read"]?.reason).toContain("connection a-full runs it");
    expect(byName["b-read"]).toMatchObject({
      accountId: ACCOUNT_B,
      outcome: "refused",
      code: "ACCESS_REFUSED",
    });
    expect(byName["b-read"]?.reason).toContain("ec2:StopInstances");
    expect(byName["b-read"]?.reason).toContain("ReadOnlyAccess");
    expect(emulator.counters().total).toBe(0);
  });

  it("calls a List or Read action no write", async () => {
    const plan = (
      await t.call("POST", "/api/v1/actions/aws.ec2.describeInstances/plan", {
        body: { connection: "a-read", region: "eu-west-1", input: {} },
      })
    ).json<Plan>();
    expect(plan).toMatchObject({
      iamActions: ["ec2:DescribeInstances"],
      write: false,
      single: true,
      summary: { total: 1, runs: 1, refused: 0, skipped: 0 },
    });
    expect(["List", "Read"]).toContain(plan.accessLevel);
  });

  it("shows a single target the access setting or a grant refuses as a refused target, where the run answers an error", async () => {
    const refusedByAccess = await t.call("POST", "/api/v1/actions/aws.call/plan", {
      body: { connection: "a-read", region: "us-east-1", input: STOP(["i-1"]) },
    });
    expect(refusedByAccess.statusCode, refusedByAccess.body).toBe(200);
    expect(refusedByAccess.json<Plan>().targets).toEqual([
      expect.objectContaining({ connection: "a-read", outcome: "refused", code: "ACCESS_REFUSED" }),
    ]);
    const run = await t.call("POST", "/api/v1/actions/aws.call/run", {
      body: { connection: "a-read", region: "us-east-1", input: STOP(["i-1"]) },
    });
    expect(run.statusCode).toBe(403);
    expect(run.json<{ error: { code: string } }>().error.code).toBe("ACCESS_REFUSED");

    const token = await signInAsMember(t, "plan-member");
    for (const connection of ["a-full", "no-such-connection"]) {
      const plan = await t.call("POST", "/api/v1/actions/aws.ec2.describeInstances/plan", {
        token,
        body: { connection, region: "us-east-1", input: {} },
      });
      expect(plan.statusCode, plan.body).toBe(200);
      // An existing connection the member cannot see reads as one that does not exist.
      expect(plan.json<Plan>().targets).toEqual([
        {
          connection,
          accountId: null,
          region: "us-east-1",
          outcome: "refused",
          code: "FORBIDDEN",
          reason: `no connection ${connection} that you may execute`,
        },
      ]);
    }
  });

  it("refuses the body a run refuses, with the same error", async () => {
    for (const [body, status, field] of [
      [{ connections: "*", regions: ["mars-1"], input: {} }, 400, "regions.0"],
      [{ connections: "*", input: {}, dryRun: true }, 400, "dryRun"],
      [{ connections: "*", input: { InstanceIds: "i-1" } }, 400, "input.InstanceIds"],
    ] as const) {
      const plan = await t.call("POST", "/api/v1/actions/aws.ec2.describeInstances/plan", { body });
      const run = await t.call("POST", "/api/v1/actions/aws.ec2.describeInstances/run", { body });
      expect(plan.statusCode, plan.body).toBe(status);
      expect(run.statusCode, run.body).toBe(status);
      const planError = plan.json<{ error: { code: string; field?: string } }>().error;
      expect(planError.field).toBe(field);
      expect(planError.code).toBe(run.json<{ error: { code: string } }>().error.code);
    }
  });

  it("records the plan with the run, whose targets come to what it said", async () => {
    const body = { connections: "*", regions: ["eu-west-1"], input: STOP([`i-41119`]) };
    const plan = (await t.call("POST", "/api/v1/actions/aws.call/plan", { body })).json<Plan>();
    const response = await t.call("POST", "/api/v1/actions/aws.call/run", { body });
    expect(response.statusCode, response.body).toBe(200);
    const run = response.json<{ run: { id: string } }>().run;
    const detail = (await t.call("GET", `/api/v1/runs/${run.id}`)).json<{
      plan?: unknown;
      results: { connection: string; status: string; error?: { code: string } }[];
    }>();
    expect(detail.plan).toEqual({
      iamActions: ["ec2:StopInstances"],
      accessLevel: "Write",
      write: true,
      everyConnection: false,
      summary: plan.summary,
    });
    const statusOf = { runs: ["succeeded", "failed"], refused: ["refused"], skipped: ["skipped"] };
    for (const target of plan.targets) {
      const result = detail.results.find((r) => r.connection === target.connection);
      expect(statusOf[target.outcome as keyof typeof statusOf]).toContain(result?.status);
      if (target.code !== undefined) expect(result?.error?.code).toBe(target.code);
    }
  });

  it("uses the mechanism of the workflow preflight: a step with the same selection has the same targets", async () => {
    const saved = await t.call("POST", "/api/v1/workflows", {
      body: `name: plan-same-as-preflight
steps:
  - id: stop
    action: aws.call
    connections: "*"
    regions: [us-east-1]
    input: { service: ec2, operation: StopInstances, input: { InstanceIds: [i-1] } }
`,
      headers: { "content-type": "application/yaml" },
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const preflight = (
      await t.call("POST", "/api/v1/workflows/plan-same-as-preflight/preflight", {
        body: { inputs: {} },
      })
    ).json<{ steps: { targets: Plan["targets"]; accessLevel: string }[] }>();
    const plan = (
      await t.call("POST", "/api/v1/actions/aws.call/plan", {
        body: { connections: "*", regions: ["us-east-1"], input: STOP(["i-1"]) },
      })
    ).json<Plan>();
    expect(preflight.steps[0]?.targets).toEqual(plan.targets);
    expect(preflight.steps[0]?.accessLevel).toBe(plan.accessLevel);
  });

  it("is in the OpenAPI document with its response schema", async () => {
    const doc = (await t.call("GET", "/openapi.json", { token: null })).json<{
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    }>();
    const route = doc.paths["/api/v1/actions/{id}/plan"]?.post;
    expect(JSON.stringify(route?.responses["200"])).toContain("everyConnection");
    expect(JSON.stringify(route?.responses["200"])).toContain("accessLevel");
  });
});
