import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import { memberAccount, type MemberAccount } from "./member-account.js";

const INSTANCE = "i-0123456789abcdef0";
const WOULD_SUCCEED = {
  dryRun: "would succeed",
  message: "Request would have succeeded, but DryRun flag is set.",
};

interface ErrorBody {
  error: { code: string; message: string };
}

describeEachDatabase("an EC2 DryRun", (suite) => {
  let m: MemberAccount;

  beforeAll(async () => {
    m = await memberAccount(suite.handle().db, {
      roles: [
        {
          name: "operator",
          policies: [
            "arn:aws:iam::aws:policy/ReadOnlyAccess",
            {
              Version: "2012-10-17",
              Statement: [{ Effect: "Allow", Action: "ec2:TerminateInstances", Resource: "*" }],
            },
          ],
        },
        { name: "reader", policies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] },
      ],
      resources: {
        "us-east-1": {
          ec2: {
            Instances: [
              {
                InstanceId: INSTANCE,
                InstanceType: "t3.micro",
                State: { Code: 16, Name: "running" },
              },
            ],
          },
        },
      },
    });
    await m.connect("operator", "operator", { access: "full" });
    // Full access on Switchboard's side: AWS itself refuses the termination.
    await m.connect("reader-full", "reader", { access: "full" });
    await m.connect("reader", "reader");
  });
  afterAll(async () => {
    await m.close();
  });

  const call = (connection: string, operation: string, input: Record<string, unknown>) =>
    m.t.call("POST", "/api/v1/actions/aws.call/run", {
      body: { connection, region: "us-east-1", input: { service: "ec2", operation, input } },
    });

  const instanceState = async () => {
    const response = await call("reader", "DescribeInstances", { InstanceIds: [INSTANCE] });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<{
      output: { Reservations: { Instances: { State: { Name: string } }[] }[] };
    }>().output.Reservations[0]?.Instances[0]?.State.Name;
  };

  it("reports a DryRun that would succeed as a successful run, with AWS's message, and changes nothing", async () => {
    const response = await call("operator", "TerminateInstances", {
      InstanceIds: [INSTANCE],
      DryRun: true,
    });
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json<{ run: { id: string; status: string }; output: unknown }>();
    expect(body.run.status).toBe("succeeded");
    expect(body.output).toEqual(WOULD_SUCCEED);
    expect(await instanceState()).toBe("running");

    const stored = (await m.t.call("GET", `/api/v1/runs/${body.run.id}`)).json<{
      run: { status: string };
      results: { status: string; output?: unknown }[];
    }>();
    expect(stored.results[0]).toMatchObject({ status: "succeeded", output: WOULD_SUCCEED });
  });

  it("reports a DryRun of a read as would succeed on a read connection", async () => {
    const response = await call("reader", "DescribeInstances", { DryRun: true });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json<{ output: unknown }>().output).toEqual(WOULD_SUCCEED);
  });

  it("counts a would-succeed DryRun as succeeded and one AWS refuses as failed (UnauthorizedOperation) in a fan-out", async () => {
    const response = await m.t.call("POST", "/api/v1/actions/aws.call/run", {
      body: {
        connections: ["operator", "reader-full"],
        regions: ["us-east-1"],
        // Both connections reach the same account: each is to answer for itself here.
        everyConnection: true,
        input: {
          service: "ec2",
          operation: "TerminateInstances",
          input: { InstanceIds: [INSTANCE], DryRun: true },
        },
      },
    });
    expect(response.statusCode, response.body).toBe(200);
    const fanOut = response.json<{
      summary: { succeeded: number; failed: number };
      results: { connection: string; status: string; output?: unknown; error?: { code: string } }[];
    }>();
    expect(fanOut.summary).toMatchObject({ succeeded: 1, failed: 1 });
    expect(fanOut.results.find((r) => r.connection === "operator")).toMatchObject({
      status: "succeeded",
      output: WOULD_SUCCEED,
    });
    expect(fanOut.results.find((r) => r.connection === "reader-full")?.error?.code).toBe(
      "UnauthorizedOperation",
    );
    expect(await instanceState()).toBe("running");

    // Alone, the refused one is AWS's error (502), as any failed call is.
    const refused = await call("reader-full", "TerminateInstances", {
      InstanceIds: [INSTANCE],
      DryRun: true,
    });
    expect(refused.statusCode, refused.body).toBe(502);
    expect(refused.json<ErrorBody>().error).toMatchObject({
      code: "AWS_ERROR",
      message: expect.stringContaining("UnauthorizedOperation") as unknown,
    });
  });
});
