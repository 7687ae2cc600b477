import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  paginateDescribeTargetGroups,
  type TargetGroup,
  type TargetHealthDescription,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { collect, defineResourceType, details, ec2Arn, type Edge } from "../resource-type.js";

type Group = TargetGroup & { targets: TargetHealthDescription[] };

/**
 * ELBv2 target groups: in their VPC; edges load balancer → group and group → each registered
 * instance or function (an IP target has no ARN and is not kept).
 */
export const targetGroup = defineResourceType<Group>({
  type: "elbv2.target-group",
  title: "Target group",
  sdkService: "elastic-load-balancing-v2",
  global: false,
  iamActions: [
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetHealth",
  ],
  async items(context) {
    const client = context.client(ElasticLoadBalancingV2Client);
    const groups = await collect(
      paginateDescribeTargetGroups({ client }, {}),
      (p) => p.TargetGroups,
    );
    const items = [];
    for (const group of groups) {
      const health = await client.send(
        new DescribeTargetHealthCommand({ TargetGroupArn: group.TargetGroupArn }),
      );
      items.push({
        arn: group.TargetGroupArn ?? "",
        raw: { ...group, targets: health.TargetHealthDescriptions ?? [] },
      });
    }
    return items;
  },
  parent: (g, scope) => (g.VpcId === undefined ? null : ec2Arn(scope, "vpc", g.VpcId)),
  edges: ({ arn, raw }, scope) => [
    ...(raw.LoadBalancerArns ?? []).map((lb): Edge => ({ from: lb, to: arn, kind: "forwards-to" })),
    ...raw.targets.flatMap((t): Edge[] => {
      const id = t.Target?.Id;
      if (id === undefined) return [];
      if (raw.TargetType === "instance")
        return [{ from: arn, to: ec2Arn(scope, "instance", id), kind: "targets" }];
      if (raw.TargetType === "lambda" || raw.TargetType === "alb")
        return [{ from: arn, to: id, kind: "targets" }];
      return [];
    }),
  ],
  attributes: (g) => ({
    ...(g.TargetGroupName === undefined ? {} : { name: g.TargetGroupName }),
    state:
      g.targets.length === 0
        ? "empty"
        : g.targets.every((t) => t.TargetHealth?.State === "healthy")
          ? "healthy"
          : "impaired",
    details: details({
      protocol: g.Protocol,
      port: g.Port,
      targetType: g.TargetType,
      targets: g.targets.length,
      healthy: g.targets.filter((t) => t.TargetHealth?.State === "healthy").length,
    }),
  }),
});
