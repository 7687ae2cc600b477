import { partition } from "@aws-sdk/core/client";

/**
 * The AWS partition (aws, aws-cn, aws-us-gov, aws-iso, …) a region belongs to, by the SDK's own
 * endpoint partition data (the same rules the SDK resolves endpoints with).
 */
export function partitionOfRegion(region: string): string {
  return partition(region).name;
}

/** The partition an ARN names (`arn:<partition>:…`), if it is an ARN. */
export function partitionOfArn(arn: string | null | undefined): string | undefined {
  const [prefix, name] = (arn ?? "").split(":");
  return prefix === "arn" && name !== undefined && name !== "" ? name : undefined;
}

/**
 * The regions of one partition only. An account lives in exactly one partition and its
 * credentials work nowhere else, so a cn-* or us-gov-* region in a commercial account's list (an
 * endpoint such as moto or LocalStack lists every region it knows) is one it can never run in.
 */
export function regionsInPartition(regions: string[], partitionName: string): string[] {
  return regions.filter((region) => partitionOfRegion(region) === partitionName);
}
