import { describe, expect, it } from "vitest";
import { isGlobalService } from "./global-services.js";

describe("isGlobalService", () => {
  it.each(["iam", "account"])(
    "reads from AWS's endpoint rules that %s has one endpoint for every region",
    async (service) => {
      expect(await isGlobalService(service)).toBe(true);
    },
  );

  it.each(["ec2", "sts", "cloudwatch-logs", "lambda", "ecs", "secrets-manager"])(
    "reads that %s has an endpoint per region",
    async (service) => {
      expect(await isGlobalService(service)).toBe(false);
    },
  );

  it("calls S3 once per account: bucket names are account-wide", async () => {
    expect(await isGlobalService("s3")).toBe(true);
  });
});
