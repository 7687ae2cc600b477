import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CATALOG } from "./catalog/index.js";
import { iamServicePrefix } from "./iam/iam-service-prefix.js";
import { SDK_SERVICES, closestService, loadSdkModule, sdkServiceName } from "./sdk-services.js";

const packageJson = JSON.parse(
  readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
) as { dependencies: Record<string, string> };

describe("the shipped SDK clients", () => {
  it("are exactly the @aws-sdk/client-* dependencies of package.json", () => {
    const dependencies = Object.keys(packageJson.dependencies)
      .filter((name) => name.startsWith("@aws-sdk/client-"))
      .map((name) => name.slice("@aws-sdk/client-".length));
    expect([...SDK_SERVICES].sort()).toEqual(dependencies.sort());
  });

  it("include the services users script most, each with an IAM prefix to check its calls", () => {
    for (const service of [
      "rds",
      "dynamodb",
      "iam",
      "organizations",
      "cloudformation",
      "elastic-load-balancing-v2",
      "auto-scaling",
      "cloudfront",
      "api-gateway",
      "apigatewayv2",
      "sqs",
      "sns",
      "elasticache",
      "cloudwatch",
      "ssm",
      "route-53",
      "eks",
      "kms",
      "sfn",
      "eventbridge",
      "ecr",
      "efs",
      "backup",
      "config-service",
      "cloudtrail",
      "guardduty",
      "securityhub",
      "acm",
      "wafv2",
      "athena",
      "glue",
      "kinesis",
      "redshift",
      "pricing",
      "cost-explorer",
      "resource-groups-tagging-api",
    ]) {
      expect(SDK_SERVICES).toContain(service);
    }
    for (const service of SDK_SERVICES) expect(() => iamServicePrefix(service)).not.toThrow();
  });

  it("include the client of every catalog action, whose model redacts its output", () => {
    for (const action of CATALOG.values()) expect(SDK_SERVICES).toContain(action.sdkService);
  });

  it("answer to the names the AWS CLI and IAM use", () => {
    expect(sdkServiceName("route53")).toBe("route-53");
    expect(sdkServiceName("elbv2")).toBe("elastic-load-balancing-v2");
    expect(sdkServiceName("stepfunctions")).toBe("sfn");
    expect(sdkServiceName("events")).toBe("eventbridge");
    expect(sdkServiceName("cognito-idp")).toBe("cognito-identity-provider");
    expect(sdkServiceName("ce")).toBe("cost-explorer");
    expect(sdkServiceName("logs")).toBe("cloudwatch-logs");
    expect(sdkServiceName("rds")).toBe("rds");
  });

  it("name the closest one when a name is unknown", () => {
    expect(closestService("rdss")).toBe("rds");
    expect(closestService("dynamo")).toBe("dynamodb");
    expect(closestService("cloudwatchlogs")).toBe("cloudwatch-logs");
    expect(closestService("secretmanager")).toBe("secretsmanager");
    expect(() => sdkServiceName("lightsail")).toThrow(
      /^no AWS SDK client for service "lightsail" is installed with this Switchboard: did you mean "[a-z0-9-]+"\? Available: account, acm, /,
    );
  });

  it("load on first use, once", async () => {
    const first = loadSdkModule("rds");
    expect(loadSdkModule("rds")).toBe(first);
    expect(typeof (await first).RDSClient).toBe("function");
    await expect(loadSdkModule("lightsail")).rejects.toThrow(/not a shipped SDK client/);
  });
});
