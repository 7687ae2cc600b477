import { validateIdentityPolicy } from "@cloud-copilot/iam-policy";
import { describe, expect, it } from "vitest";
import { Invalid } from "../../errors.js";
import { minimalPolicy } from "./minimal-policy.js";

describe("minimalPolicy", () => {
  it("grants exactly the three Logs Insights actions of a saved query, in one statement", () => {
    expect(
      minimalPolicy(["logs:DescribeQueryDefinitions", "logs:StartQuery", "logs:GetQueryResults"]),
    ).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "SwitchboardLogs",
          Effect: "Allow",
          Action: ["logs:DescribeQueryDefinitions", "logs:GetQueryResults", "logs:StartQuery"],
          Resource: "*",
        },
      ],
    });
  });

  it("groups actions per service prefix, sorted and de-duplicated", () => {
    const policy = minimalPolicy([
      "s3:ListAllMyBuckets",
      "ec2:DescribeVpcs",
      "ec2:DescribeInstances",
      "ec2:DescribeVpcs",
      "EC2:DescribeSubnets",
    ]);
    expect(policy.Statement.map((s) => [s.Sid, s.Action])).toEqual([
      ["SwitchboardEc2", ["ec2:DescribeInstances", "ec2:DescribeSubnets", "ec2:DescribeVpcs"]],
      ["SwitchboardS3", ["s3:ListAllMyBuckets"]],
    ]);
  });

  it("writes alphanumeric Sids and a document IAM accepts as an identity policy", () => {
    const policy = minimalPolicy([
      "s3-object-lambda:WriteGetObjectResponse",
      "secretsmanager:ListSecrets",
      "sts:GetCallerIdentity",
    ]);
    for (const statement of policy.Statement) expect(statement.Sid).toMatch(/^[A-Za-z0-9]+$/);
    expect(policy.Statement[0]?.Sid).toBe("SwitchboardS3ObjectLambda");
    expect(validateIdentityPolicy(policy)).toEqual([]);
  });

  it("refuses something that is not a single IAM action, wildcards included", () => {
    expect(() => minimalPolicy(["ec2:*"])).toThrow(Invalid);
    expect(() => minimalPolicy(["DescribeInstances"])).toThrow(Invalid);
  });
});
