import { describe, expect, it } from "vitest";
import { partitionOfArn, partitionOfRegion, regionsInPartition } from "./partition-regions.js";

const LISTED = [
  "us-east-1",
  "eu-west-1",
  "cn-north-1",
  "cn-northwest-1",
  "us-gov-west-1",
  "us-iso-east-1",
];

describe("regions of a partition", () => {
  it("keeps only the commercial regions for an aws account", () => {
    expect(regionsInPartition(LISTED, "aws")).toEqual(["us-east-1", "eu-west-1"]);
  });

  it("keeps only the China regions for an aws-cn account, and only GovCloud for aws-us-gov", () => {
    expect(regionsInPartition(LISTED, "aws-cn")).toEqual(["cn-north-1", "cn-northwest-1"]);
    expect(regionsInPartition(LISTED, "aws-us-gov")).toEqual(["us-gov-west-1"]);
  });

  it("reads the partition of a region from the SDK's partition rules", () => {
    expect(partitionOfRegion("il-central-1")).toBe("aws");
    expect(partitionOfRegion("cn-northwest-1")).toBe("aws-cn");
    expect(partitionOfRegion("us-gov-east-1")).toBe("aws-us-gov");
    expect(partitionOfRegion("us-isob-east-1")).toBe("aws-iso-b");
  });

  it("reads the partition an ARN names, and nothing from what is not an ARN", () => {
    expect(partitionOfArn("arn:aws-us-gov:sts::123456789012:assumed-role/r/s")).toBe("aws-us-gov");
    expect(partitionOfArn("arn:aws-cn:iam::123456789012:role/r")).toBe("aws-cn");
    expect(partitionOfArn("not-an-arn")).toBeUndefined();
    expect(partitionOfArn(null)).toBeUndefined();
  });
});
