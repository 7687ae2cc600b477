import { createHash } from "node:crypto";
import { validateResourcePolicy } from "@cloud-copilot/iam-policy";
import { AwsError } from "../aws-error.js";
import type { Account, ResourceItem } from "../world/world.js";
import { collection } from "../world/world.js";
import type { CallContext, ServiceHandlers } from "./call-context.js";
import { pagedOutput } from "./generic-read.js";
import { text } from "./input-text.js";

function findBucket(ctx: CallContext, name: string): { bucket: ResourceItem; owner: Account } {
  for (const account of ctx.world.accounts.values()) {
    const bucket = collection(account, "global", "s3", "Buckets").find((b) => b.Name === name);
    if (bucket !== undefined) return { bucket, owner: account };
  }
  throw new AwsError("NoSuchBucket", "The specified bucket does not exist", 404);
}

/**
 * S3 serves a bucket only in its own region. A request that reaches another region's endpoint is
 * answered with a 301 PermanentRedirect naming the right endpoint, and the bucket's region in
 * `x-amz-bucket-region` (the SDK's `followRegionRedirects` resends it there). It comes before
 * any permission check: S3 redirects callers that could not read the bucket too.
 */
function inBucketRegion(ctx: CallContext, bucket: ResourceItem): void {
  const region = typeof bucket.BucketRegion === "string" ? bucket.BucketRegion : "us-east-1";
  if (region === ctx.region) return;
  const name = String(bucket.Name);
  throw new AwsError(
    "PermanentRedirect",
    "The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.",
    301,
    "Sender",
    {
      fields: { Bucket: name, Endpoint: `${name}.s3.${region}.amazonaws.com` },
      headers: { "x-amz-bucket-region": region },
    },
  );
}

function policyText(bucket: ResourceItem): string | undefined {
  const policy = bucket.Policy;
  if (policy === undefined || policy === null) return undefined;
  return typeof policy === "string" ? policy : JSON.stringify(policy);
}

/** The canonical user id S3 shows as owner; stable per account. */
export function canonicalId(accountId: string): string {
  return createHash("sha256").update(`canonical:${accountId}`).digest("hex");
}

async function authorizeBucket(
  ctx: CallContext,
  action: string,
  bucket: ResourceItem,
  owner: Account,
): Promise<void> {
  const policy = policyText(bucket);
  await ctx.authorize(action, `arn:aws:s3:::${String(bucket.Name)}`, {
    resourceAccountId: owner.id,
    ...(policy !== undefined ? { resourcePolicy: JSON.parse(policy) as unknown } : {}),
  });
}

/**
 * Get, Put and DeleteBucketPolicy belong to the bucket's own account: an identity of another
 * account that a policy lets through is answered 405 (S3 API reference), not 403.
 */
function ownAccountOnly(ctx: CallContext, owner: { id: string }): void {
  if (owner.id !== ctx.account.id)
    throw new AwsError(
      "MethodNotAllowed",
      "The specified method is not allowed against this resource.",
      405,
    );
}

export const s3Service: ServiceHandlers = {
  async ListBuckets(ctx, input) {
    await ctx.authorize("s3:ListAllMyBuckets", "*");
    const buckets = collection(ctx.account, "global", "s3", "Buckets");
    const output = pagedOutput(ctx, input, "Buckets", buckets);
    return { ...output, Owner: { DisplayName: ctx.account.name, ID: canonicalId(ctx.account.id) } };
  },

  // Answered from any region, without the redirect other bucket calls get: it is how clients
  // find a bucket's region. us-east-1 buckets have no location constraint.
  async GetBucketLocation(ctx, input) {
    const { bucket, owner } = findBucket(ctx, text(input.Bucket));
    await authorizeBucket(ctx, "s3:GetBucketLocation", bucket, owner);
    if (owner.id !== ctx.account.id) throw new AwsError("AccessDenied", "Access Denied", 403);
    const region = typeof bucket.BucketRegion === "string" ? bucket.BucketRegion : "us-east-1";
    return region === "us-east-1" ? {} : { LocationConstraint: region };
  },

  async GetBucketPolicy(ctx, input) {
    const { bucket, owner } = findBucket(ctx, text(input.Bucket));
    inBucketRegion(ctx, bucket);
    await authorizeBucket(ctx, "s3:GetBucketPolicy", bucket, owner);
    ownAccountOnly(ctx, owner);
    const policy = policyText(bucket);
    if (policy === undefined)
      throw new AwsError("NoSuchBucketPolicy", "The bucket policy does not exist", 404);
    return { Policy: policy };
  },

  // 204 whether or not the bucket had a policy.
  async DeleteBucketPolicy(ctx, input) {
    const { bucket, owner } = findBucket(ctx, text(input.Bucket));
    inBucketRegion(ctx, bucket);
    await authorizeBucket(ctx, "s3:DeleteBucketPolicy", bucket, owner);
    ownAccountOnly(ctx, owner);
    delete bucket.Policy;
    ctx.authorizer.clear();
    return {};
  },

  async PutBucketPolicy(ctx, input) {
    const { bucket, owner } = findBucket(ctx, text(input.Bucket));
    inBucketRegion(ctx, bucket);
    await authorizeBucket(ctx, "s3:PutBucketPolicy", bucket, owner);
    ownAccountOnly(ctx, owner);
    const submitted = typeof input.Policy === "string" ? input.Policy : "";
    let document: unknown;
    try {
      document = JSON.parse(submitted);
    } catch {
      throw new AwsError(
        "MalformedPolicy",
        "Policies must be valid JSON and the first byte must be '{'",
        400,
      );
    }
    const problem = validateResourcePolicy(document)[0];
    if (problem !== undefined)
      throw new AwsError("MalformedPolicy", `${problem.message} (${problem.path})`, 400);
    bucket.Policy = submitted;
    ctx.authorizer.clear();
    return {};
  },
};
