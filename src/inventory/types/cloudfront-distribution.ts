import {
  CloudFrontClient,
  paginateListDistributions,
  type DistributionSummary,
} from "@aws-sdk/client-cloudfront";
import {
  collect,
  defineResourceType,
  details,
  type Edge,
  type ListScope,
} from "../resource-type.js";

/**
 * An origin's domain as the ARN of what serves it, when the domain names one: an S3 bucket, an
 * API Gateway API. Other origins (a load balancer's DNS name, a custom host) have no ARN in the
 * name, so no edge is kept for them rather than a domain name.
 */
function originArn(domain: string, scope: ListScope): string | undefined {
  const bucket = /^(.+?)\.s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com$/.exec(domain);
  if (bucket?.[1] !== undefined) return `arn:${scope.partition}:s3:::${bucket[1]}`;
  const api = /^([a-z0-9]+)\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$/.exec(domain);
  if (api?.[1] !== undefined && api[2] !== undefined)
    return `arn:${scope.partition}:apigateway:${api[2]}::/restapis/${api[1]}`;
  return undefined;
}

/** CloudFront distributions: global, listed once per account; edges to their origins. */
export const cloudfrontDistribution = defineResourceType<DistributionSummary>({
  type: "cloudfront.distribution",
  title: "CloudFront distribution",
  sdkService: "cloudfront",
  global: true,
  iamActions: ["cloudfront:ListDistributions"],
  async items(context) {
    const client = context.client(CloudFrontClient);
    const items = await collect(
      paginateListDistributions({ client }, {}),
      (p) => p.DistributionList?.Items,
    );
    return items.map((raw) => ({ arn: raw.ARN ?? "", raw }));
  },
  edges: ({ arn, raw }, scope) =>
    (raw.Origins?.Items ?? []).flatMap((origin): Edge[] => {
      const to = origin.DomainName === undefined ? undefined : originArn(origin.DomainName, scope);
      return to === undefined ? [] : [{ from: arn, to, kind: "origin" }];
    }),
  attributes: (d) => ({
    ...(d.Id === undefined ? {} : { name: d.Id }),
    ...(d.Status === undefined ? {} : { state: d.Status }),
    details: details({
      domainName: d.DomainName,
      enabled: d.Enabled,
      priceClass: d.PriceClass,
      aliases: d.Aliases?.Items?.join(", "),
    }),
  }),
});
