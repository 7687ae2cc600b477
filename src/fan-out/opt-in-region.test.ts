import { describe, expect, it } from "vitest";
import { isOptInRegion, optInRegionFix } from "./opt-in-region.js";

describe("opt-in regions", () => {
  it("knows the regions launched since March 2019 as opt-in, not the default ones or other partitions", () => {
    expect(["af-south-1", "ap-east-1", "me-central-1", "il-central-1"].map(isOptInRegion)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(["us-east-1", "eu-north-1", "cn-north-1", "us-gov-west-1"].map(isOptInRegion)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });

  it("explains unknown credentials in an opt-in region as a region to enable, and nothing else", () => {
    expect(optInRegionFix("AuthFailure", "af-south-1", "prod")).toMatch(
      /^af-south-1 is an opt-in region .* connection prod's regions/,
    );
    expect(optInRegionFix("UnrecognizedClientException", "ap-east-1", "prod")).toBeDefined();
    expect(optInRegionFix("AuthFailure", "us-east-1", "prod")).toBeUndefined();
    expect(optInRegionFix("AccessDenied", "af-south-1", "prod")).toBeUndefined();
  });
});
