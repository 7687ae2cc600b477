import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import { memberAccount, type MemberAccount } from "../actions/member-account.js";

// An endpoint that lists every region it knows, across partitions (as moto and LocalStack do).
const LISTED = ["us-east-1", "eu-west-1", "cn-north-1", "cn-northwest-1", "us-gov-west-1"];

interface TestResult {
  ok: boolean;
  arn: string | null;
  regions: string[];
}

describeEachDatabase("regions learnt by a connection test", (suite) => {
  let m: MemberAccount;

  beforeAll(async () => {
    m = await memberAccount(suite.handle().db, {
      regions: LISTED,
      roles: [
        // May not call account:ListRegions, so the test falls back to ec2:DescribeRegions.
        {
          name: "ec2-only",
          policies: [
            {
              Version: "2012-10-17",
              Statement: [{ Effect: "Allow", Action: "ec2:DescribeRegions", Resource: "*" }],
            },
          ],
        },
        { name: "reader", policies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] },
      ],
    });
    await m.connect("from-ec2", "ec2-only", { regions: [] });
    await m.connect("from-account", "reader", { regions: [] });
  });
  afterAll(async () => {
    await m.close();
  });

  const learnt = async (name: string) => {
    const response = await m.t.call("POST", `/api/v1/connections/${name}/test`);
    expect(response.statusCode, response.body).toBe(200);
    const result = response.json<TestResult>();
    expect(result.ok, response.body).toBe(true);
    const saved = (await m.t.call("GET", `/api/v1/connections/${name}`)).json<{
      regions: string[];
    }>();
    return { result, saved: saved.regions };
  };

  it("keeps only the commercial regions ec2:DescribeRegions lists for a commercial account", async () => {
    m.emulator.resetCounters();
    const { result, saved } = await learnt("from-ec2");
    expect(m.emulator.counters().byOperation["ec2:DescribeRegions"]).toBe(1);
    expect(result.arn).toMatch(/^arn:aws:sts::/);
    expect(result.regions).toEqual(["eu-west-1", "us-east-1"]);
    expect(saved).toEqual(["eu-west-1", "us-east-1"]);
  });

  it("keeps only the commercial regions account:ListRegions lists too", async () => {
    m.emulator.resetCounters();
    const { result, saved } = await learnt("from-account");
    expect(m.emulator.counters().byOperation["account:ListRegions"]).toBeGreaterThanOrEqual(1);
    expect(m.emulator.counters().byOperation["ec2:DescribeRegions"] ?? 0).toBe(0);
    expect(result.regions).toEqual(["eu-west-1", "us-east-1"]);
    expect(saved).toEqual(["eu-west-1", "us-east-1"]);
  });
});
