import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import { memberAccount, type MemberAccount } from "./member-account.js";

interface ErrorBody {
  error: { code: string; message: string };
}

describeEachDatabase("an endpoint that does not speak AWS", (suite) => {
  let m: MemberAccount;
  let notAws: (answered: string) => string;

  beforeAll(async () => {
    m = await memberAccount(suite.handle().db, {
      roles: [{ name: "switchboard-read", policies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] }],
    });
    await m.connect("member", "switchboard-read");
    notAws = (answered) =>
      `the endpoint ${m.emulator.url} answered ${answered}, which is not an AWS response: check the connection's endpoint`;
  });
  afterEach(() => {
    m.emulator.setKnobs({ notAws: undefined });
  });
  afterAll(async () => {
    await m.close();
  });

  const run = (action: string, input: Record<string, unknown> = {}) =>
    m.t.call("POST", `/api/v1/actions/${action}/run`, {
      body: { connection: "member", region: "us-east-1", input },
    });

  it("says a JSON-protocol service's endpoint answered an HTML 404, not that AWS answered a SyntaxError", async () => {
    m.emulator.setKnobs({ notAws: { services: ["logs"] } });
    const response = await run("aws.logs.describeQueryDefinitions");
    expect(response.statusCode, response.body).toBe(502);
    const { error } = response.json<ErrorBody>();
    expect(error).toMatchObject({
      code: "ENDPOINT_NOT_AWS",
      message: notAws("HTTP 404 (text/html)"),
    });
    expect(error.message).not.toContain("SyntaxError");
    expect(m.emulator.counters().notAws).toBeGreaterThanOrEqual(1);
  });

  it("says an EC2 (query/XML) endpoint answered an HTML 500 after the SDK's retries", async () => {
    m.emulator.resetCounters();
    m.emulator.setKnobs({ notAws: { services: ["ec2"], status: 500 } });
    const response = await run("aws.ec2.describeVpcs");
    expect(response.statusCode, response.body).toBe(502);
    expect(response.json<ErrorBody>().error).toMatchObject({
      code: "ENDPOINT_NOT_AWS",
      message: notAws("HTTP 500 (text/html)"),
    });
    // A 5xx is retried by the SDK before it is reported.
    expect(m.emulator.counters().notAws).toBe(3);
  });

  it("says an endpoint answered a body in another protocol, with its status and content type, in the target result of a fan-out", async () => {
    m.emulator.setKnobs({
      notAws: {
        services: ["ec2"],
        status: 200,
        contentType: "application/json",
        body: '{"jsonrpc":"2.0","result":{}}',
      },
    });
    const response = await m.t.call("POST", "/api/v1/actions/aws.ec2.describeInstances/run", {
      body: { connections: ["member"], regions: ["us-east-1"], input: {} },
    });
    expect(response.statusCode, response.body).toBe(200);
    const fanOut = response.json<{
      results: { status: string; error?: { code: string; message: string; fix?: string } }[];
    }>();
    expect(fanOut.results[0]).toMatchObject({
      status: "failed",
      error: {
        code: "ENDPOINT_NOT_AWS",
        message: notAws("HTTP 200 (application/json)"),
        fix: expect.stringContaining("base URL of an AWS API") as unknown,
      },
    });
  });

  it("says so in a connection test whose STS calls get an HTML page", async () => {
    m.t.credentials.cache.forget(
      (await m.t.call("GET", "/api/v1/connections/member")).json<{ id: string }>().id,
    );
    m.emulator.setKnobs({ notAws: { services: ["sts"] } });
    const response = await m.t.call("POST", "/api/v1/connections/member/test");
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json<{ ok: boolean; error: unknown }>()).toMatchObject({
      ok: false,
      error: {
        code: "ENDPOINT_NOT_AWS",
        message: notAws("HTTP 404 (text/html)"),
        fix: expect.stringContaining("endpoint") as unknown,
      },
    });
  });
});
