import {
  ElasticLoadBalancingV2Client,
  paginateDescribeLoadBalancers,
  type LoadBalancer,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { collect, defineResourceType, details, ec2Arn, type Edge } from "../resource-type.js";

/** ELBv2 load balancers (application, network, gateway): in their VPC, edges to subnets and groups. */
export const loadBalancer = defineResourceType<LoadBalancer>({
  type: "elbv2.load-balancer",
  title: "Load balancer",
  sdkService: "elastic-load-balancing-v2",
  global: false,
  iamActions: ["elasticloadbalancing:DescribeLoadBalancers"],
  async items(context) {
    const client = context.client(ElasticLoadBalancingV2Client);
    const balancers = await collect(
      paginateDescribeLoadBalancers({ client }, {}),
      (p) => p.LoadBalancers,
    );
    return balancers.map((raw) => ({ arn: raw.LoadBalancerArn ?? "", raw }));
  },
  parent: (b, scope) => (b.VpcId === undefined ? null : ec2Arn(scope, "vpc", b.VpcId)),
  edges: ({ arn, raw }, scope) => [
    ...(raw.AvailabilityZones ?? []).flatMap((z): Edge[] =>
      z.SubnetId === undefined
        ? []
        : [{ from: arn, to: ec2Arn(scope, "subnet", z.SubnetId), kind: "in-subnet" }],
    ),
    ...(raw.SecurityGroups ?? []).map((g): Edge => ({
      from: arn,
      to: ec2Arn(scope, "security-group", g),
      kind: "uses-group",
    })),
  ],
  attributes: (b) => ({
    ...(b.LoadBalancerName === undefined ? {} : { name: b.LoadBalancerName }),
    ...(b.State?.Code === undefined ? {} : { state: b.State.Code }),
    details: details({
      type: b.Type,
      scheme: b.Scheme,
      dnsName: b.DNSName,
      ipAddressType: b.IpAddressType,
    }),
  }),
});
