import { afterAll, beforeAll, expect, it } from "vitest";
import type { Emulator } from "../../emulator/index.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";
import { saveWorkflow, startWorkflow, waitForRun } from "../engine/engine-world.js";
import { ACCOUNT_A, twoAccounts } from "./two-accounts.js";

interface FanOut {
  summary: { total: number; succeeded: number; skipped: number; refused: number };
  results: {
    connection: string;
    region: string;
    status: string;
    output?: { Reservations?: { Instances: { InstanceId: string }[] }[] };
    error?: { code: string; message: string };
  }[];
}

const rows = (fanOut: FanOut) =>
  fanOut.results.map((r) => [r.connection, r.region, r.status, r.error?.code]);

describeEachDatabase("a fan-out runs once per (account, region)", (suite) => {
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

  async function fanOut(body: Record<string, unknown>, action = "aws.ec2.describeInstances") {
    const response = await t.call("POST", `/api/v1/actions/${action}/run`, { body });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<FanOut>();
  }

  it("runs a regional action through the first selected connection of an account, skipping the others with the reason", async () => {
    emulator.resetCounters();
    const result = await fanOut({ connections: ["a-read", "a-full", "b-read"], input: {} });
    expect(rows(result)).toEqual([
      ["a-read", "us-east-1", "succeeded", undefined],
      ["a-read", "eu-west-1", "succeeded", undefined],
      ["a-full", "us-east-1", "skipped", "SAME_ACCOUNT_REGION"],
      ["a-full", "eu-west-1", "skipped", "SAME_ACCOUNT_REGION"],
      ["b-read", "us-east-1", "succeeded", undefined],
      ["b-read", "eu-west-1", "succeeded", undefined],
    ]);
    expect(result.results[2]?.error?.message).toBe(
      `connection a-read runs it in the same account ${ACCOUNT_A} and region us-east-1: a fan-out runs once per (account, region) unless it asks for every connection (everyConnection)`,
    );
    // Each instance once: the same data is not returned twice.
    const instances = result.results.flatMap(
      (r) => r.output?.Reservations?.flatMap((v) => v.Instances.map((i) => i.InstanceId)) ?? [],
    );
    expect(instances).toHaveLength(8);
    expect(new Set(instances).size).toBe(8);
    expect(emulator.counters().byOperation["ec2:DescribeInstances"]).toBe(4);
  });

  it("skips per region: a connection still runs the regions no earlier connection to its account covers", async () => {
    const result = await fanOut({
      connections: ["a-read", "a-full"],
      regions: ["eu-west-1", "us-east-1"],
      input: {},
    });
    expect(result.summary).toMatchObject({ total: 4, succeeded: 2, skipped: 2 });
    const first = await fanOut({
      connections: ["a-full", "a-read"],
      regions: ["eu-west-1"],
      input: {},
    });
    expect(rows(first)).toEqual([
      ["a-full", "eu-west-1", "succeeded", undefined],
      ["a-read", "eu-west-1", "skipped", "SAME_ACCOUNT_REGION"],
    ]);
  });

  it("runs a write through the first connection that may run it, not the first named", async () => {
    const result = await fanOut(
      {
        connections: ["a-read", "a-full"],
        regions: ["us-east-1"],
        input: { service: "ec2", operation: "StopInstances", input: { InstanceIds: ["i-41119"] } },
      },
      "aws.call",
    );
    expect(result.results.map((r) => [r.connection, r.status, r.error?.code])).toEqual([
      ["a-read", "skipped", "SAME_ACCOUNT_REGION"],
      // a-full's call reached AWS: the instance does not exist.
      ["a-full", "failed", "InvalidInstanceID.NotFound"],
    ]);
  });

  it("runs on every connection when asked", async () => {
    emulator.resetCounters();
    const result = await fanOut({
      connections: ["a-read", "a-full"],
      regions: ["us-east-1"],
      everyConnection: true,
      input: {},
    });
    expect(rows(result)).toEqual([
      ["a-read", "us-east-1", "succeeded", undefined],
      ["a-full", "us-east-1", "succeeded", undefined],
    ]);
    expect(emulator.counters().byOperation["ec2:DescribeInstances"]).toBe(2);
  });

  it("applies to a workflow's action steps too", async () => {
    await saveWorkflow(
      t,
      `name: once-per-region
steps:
  - id: instances
    action: aws.ec2.describeInstances
    connections: [a-read, a-full]
    regions: [us-east-1]
`,
    );
    const id = await startWorkflow(t, "once-per-region");
    await waitForRun(t, id);
    const targets = (await t.call("GET", `/api/v1/runs/${id}/targets`)).json<{
      items: { connection: string; status: string; error?: { code: string } }[];
    }>().items;
    expect(targets.map((r) => [r.connection, r.status, r.error?.code])).toEqual([
      ["a-read", "succeeded", undefined],
      ["a-full", "skipped", "SAME_ACCOUNT_REGION"],
    ]);

    // A step may ask for every connection, as a run's body may.
    await saveWorkflow(
      t,
      `name: every-connection
steps:
  - id: instances
    action: aws.ec2.describeInstances
    connections: [a-read, a-full]
    regions: [us-east-1]
    everyConnection: true
`,
    );
    const every = await startWorkflow(t, "every-connection");
    await waitForRun(t, every);
    const all = (await t.call("GET", `/api/v1/runs/${every}/targets`)).json<{
      items: { connection: string; status: string }[];
    }>().items;
    expect(all.map((r) => [r.connection, r.status])).toEqual([
      ["a-read", "succeeded"],
      ["a-full", "succeeded"],
    ]);
  });
});
