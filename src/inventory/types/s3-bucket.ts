import { paginateListBuckets, S3Client, type Bucket } from "@aws-sdk/client-s3";
import { collect, defineResourceType, details } from "../resource-type.js";

/** S3 buckets: listed once per account (ListBuckets answers every region's). */
export const s3Bucket = defineResourceType<Bucket>({
  type: "s3.bucket",
  title: "S3 bucket",
  sdkService: "s3",
  global: true,
  iamActions: ["s3:ListAllMyBuckets"],
  async items(context, scope) {
    const client = context.client(S3Client);
    const buckets = await collect(paginateListBuckets({ client }, {}), (p) => p.Buckets);
    return buckets.map((raw) => ({ arn: `arn:${scope.partition}:s3:::${raw.Name ?? ""}`, raw }));
  },
  attributes: (b) => ({
    ...(b.Name === undefined ? {} : { name: b.Name }),
    details: details({ region: b.BucketRegion, created: b.CreationDate }),
  }),
});
