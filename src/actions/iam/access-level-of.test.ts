import { describe, expect, it } from "vitest";
import { Invalid } from "../../errors.js";
import { accessLevelOf } from "./access-level-of.js";

describe("accessLevelOf", () => {
  it.each([
    ["ec2:DescribeInstances", "List"],
    ["secretsmanager:GetSecretValue", "Read"],
    ["ec2:TerminateInstances", "Write"],
    ["iam:AttachRolePolicy", "Permissions management"],
    ["ec2:CreateTags", "Tagging"],
  ])("says %s is %s, as iam-data has it", async (action, level) => {
    expect(await accessLevelOf(action)).toBe(level);
  });

  it("reports the specific level of actions iam-data marks with two", async () => {
    // iam-data: "Permissions management, Write" and "Tagging, Write".
    expect(await accessLevelOf("s3:PutBucketPolicy")).toBe("Permissions management");
    expect(await accessLevelOf("s3:PutBucketTagging")).toBe("Tagging");
  });

  it("is case-insensitive like IAM", async () => {
    expect(await accessLevelOf("EC2:terminateinstances")).toBe("Write");
  });

  it("refuses an action iam-data does not know", async () => {
    await expect(accessLevelOf("ec2:LaunchRockets")).rejects.toThrow(Invalid);
    await expect(accessLevelOf("not-an-action")).rejects.toThrow(Invalid);
  });
});
