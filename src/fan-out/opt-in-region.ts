// The regions AWS enables in every account of the aws partition. Every region launched since
// March 2019 is an opt-in region, which an account must enable before it can be used there.
const ENABLED_BY_DEFAULT = new Set([
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "ap-south-1",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-southeast-1",
  "ap-southeast-2",
  "ca-central-1",
  "eu-central-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-north-1",
  "sa-east-1",
]);

// In a region its account has not enabled, AWS knows neither the access key nor the session: each
// service answers as for unknown credentials.
const UNKNOWN_CREDENTIALS = new Set([
  "AuthFailure",
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "InvalidAccessKeyId",
]);

/** Whether a region of the aws partition is one an account must enable first. */
export function isOptInRegion(region: string): boolean {
  return (
    /^[a-z]{2}-[a-z]+-\d$/.test(region) &&
    !ENABLED_BY_DEFAULT.has(region) &&
    !region.startsWith("cn-") &&
    !region.startsWith("us-gov-")
  );
}

/**
 * The fix for credentials AWS does not recognise in an opt-in region: most likely the account has
 * not enabled the region, not a wrong key (the same credentials work in its other regions).
 */
export function optInRegionFix(
  code: string,
  region: string,
  connectionName: string,
): string | undefined {
  if (!UNKNOWN_CREDENTIALS.has(code) || !isOptInRegion(region)) return undefined;
  return `${region} is an opt-in region and AWS does not know these credentials there: the account has most likely not enabled it. Enable the region for the account (AWS console → Account → AWS Regions), or take it out of connection ${connectionName}'s regions (testing the connection again keeps only the regions the account has enabled)`;
}
