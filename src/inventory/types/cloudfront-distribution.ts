import {
  ElasticLoadBalancingV2Client,
  paginateDescribeLoadBalancers,
} from "@aws-sdk/client-elastic-load-balancing-v2";
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

type Distribution = DistributionSummary & { balancers: Map<string, string> };

/**
 * An origin's domain as the ARN of what serves it: an S3 bucket or an API Gateway API (named in
 * the domain), or a load balancer of the account found by its DNS name. A custom host has no ARN,
 * and no edge is kept for it rather than a domain name.
 */
function originArn(
  domain: string,
  scope: ListScope,
  balancers: Map<string, string>,
): string | undefined {
  const balancer = balancers.get(domain.toLowerCase());
  if (balancer !== undefined) return balancer;
  const bucket = /^(.+?)\.s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com$/.exec(domain);
  if (bucket?.[1] !== undefined) return `arn:${scope.partition}:s3:::${bucket[1]}`;
  const api = /^([a-z0-9]+)\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$/.exec(domain);
  if (api?.[1] !== undefined && api[2] !== undefined)
    return `arn:${scope.partition}:apigateway:${api[2]}::/restapis/${api[1]}`;
  return undefined;
}

/** The region an ELB DNS name names: `NAME-ID.REGION.elb.amazonaws.com` (ALB, Classic) or `NAME-ID.elb.REGION.amazonaws.com` (NLB). */
function elbRegion(domain: string): string | undefined {
  const m =
    /\.([a-z]{2}(?:-[a-z]+)+-\d)\.elb\.amazonaws\.com$|\.elb\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com$/.exec(
      domain.toLowerCase(),
    );
  return m?.[1] ?? m?.[2];
}

/**
 * CloudFront distributions: global, listed once per account; edges to their origins. A load
 * balancer origin is found by its DNS name among the account's load balancers of the region the
 * name names, listed once per such region — among the connection's regions only; a load balancer
 * of a region the connection does not allow keeps no edge. A region that cannot be listed fails
 * the listing, which then keeps its last good picture.
 */
export const cloudfrontDistribution = defineResourceType<Distribution>({
  type: "cloudfront.distribution",
  title: "CloudFront distribution",
  sdkService: "cloudfront",
  global: true,
  iamActions: ["cloudfront:ListDistributions", "elasticloadbalancing:DescribeLoadBalancers"],
  async items(context) {
    const client = context.client(CloudFrontClient);
    const items = await collect(
      paginateListDistributions({ client }, {}),
      (p) => p.DistributionList?.Items,
    );
    const balancers = new Map<string, string>();
    const regions = new Set(
      items.flatMap((d) =>
        (d.Origins?.Items ?? []).flatMap((o) => {
          const r = o.DomainName === undefined ? undefined : elbRegion(o.DomainName);
          return r === undefined ? [] : [r];
        }),
      ),
    );
    for (const r of regions) {
      if (r !== context.region && !context.regions.includes(r)) continue;
      const elb = context.client(ElasticLoadBalancingV2Client, { region: r });
      for (const lb of await collect(
        paginateDescribeLoadBalancers({ client: elb }, {}),
        (p) => p.LoadBalancers,
      ))
        if (lb.DNSName !== undefined && lb.LoadBalancerArn !== undefined)
          balancers.set(lb.DNSName.toLowerCase(), lb.LoadBalancerArn);
    }
    return items.map((raw) => ({ arn: raw.ARN ?? "", raw: { ...raw, balancers } }));
  },
  edges: ({ arn, raw }, scope) =>
    (raw.Origins?.Items ?? []).flatMap((origin): Edge[] => {
      const to =
        origin.DomainName === undefined
          ? undefined
          : originArn(origin.DomainName, scope, raw.balancers);
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
