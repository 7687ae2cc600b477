import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import { memberAccount, type MemberAccount } from "./member-account.js";

interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

const GROUP = "/app/api";

describeEachDatabase("a Logs Insights query's time window", (suite) => {
  let m: MemberAccount;

  beforeAll(async () => {
    m = await memberAccount(suite.handle().db, {
      roles: [{ name: "switchboard-read", policies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] }],
      resources: {
        "us-east-1": {
          logs: {
            logGroups: [{ logGroupName: GROUP }],
            queryDefinitions: [
              {
                queryDefinitionId: "q-1",
                name: "errors",
                queryString: "fields @message",
                logGroupNames: [GROUP],
              },
            ],
            queryResults: { [GROUP]: [[{ field: "@message", value: "boom" }]] },
          },
        },
      },
      knobs: { queryPolls: 0 },
    });
    await m.connect("member", "switchboard-read");
  });
  afterAll(async () => {
    await m.close();
  });

  const run = (action: string, input: Record<string, unknown>) =>
    m.t.call("POST", `/api/v1/actions/${action}/run`, {
      body: { connection: "member", region: "us-east-1", input },
    });

  it("refuses a start time after the end time with a 400 naming input.startTime, before any call to AWS", async () => {
    m.emulator.resetCounters();
    const response = await run("aws.logs.runQuery", {
      logGroupNames: [GROUP],
      queryString: "fields @message",
      startTime: "2026-03-02T10:00:00Z",
      endTime: "2026-03-02T09:00:00Z",
    });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json<ErrorBody>().error).toMatchObject({
      code: "INVALID_REQUEST",
      field: "input.startTime",
      message: expect.stringContaining("startTime is after endTime") as unknown,
    });
    expect(m.emulator.counters().total).toBe(0);
  });

  it("refuses a saved query's start time after its end time the same way", async () => {
    m.emulator.resetCounters();
    const response = await run("aws.logs.runSavedQuery", {
      name: "errors",
      startTime: "2026-03-02T10:00:00+02:00",
      endTime: "2026-03-02T07:59:59Z",
    });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json<ErrorBody>().error).toMatchObject({ field: "input.startTime" });
    expect(m.emulator.counters().total).toBe(0);
  });

  it("refuses a start time in the future when the end time is left to default to now", async () => {
    m.emulator.resetCounters();
    const response = await run("aws.logs.runQuery", {
      logGroupNames: [GROUP],
      queryString: "fields @message",
      startTime: new Date(Date.now() + 3600_000).toISOString(),
    });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json<ErrorBody>().error).toMatchObject({
      code: "INVALID_REQUEST",
      field: "input.startTime",
      message: expect.stringContaining("is after endTime (now)") as unknown,
    });
    expect(m.emulator.counters().byService.logs ?? 0).toBe(0);
  });

  it("runs a query whose start equals its end", async () => {
    const response = await run("aws.logs.runQuery", {
      logGroupNames: [GROUP],
      queryString: "fields @message",
      startTime: "2026-03-02T09:00:00Z",
      endTime: "2026-03-02T09:00:00Z",
      pollIntervalMs: 100,
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json<{ output: { rows: unknown[] } }>().output.rows).toEqual([
      { "@message": "boom" },
    ]);
  });
});
