import { EC2Client, paginateDescribeSecurityGroups, type SecurityGroup } from "@aws-sdk/client-ec2";
import {
  collect,
  defineResourceType,
  details,
  ec2Arn,
  tagged,
  type Edge,
} from "../resource-type.js";

/** Security groups: in their VPC; an edge from each group a rule lets in to the group. */
export const securityGroup = defineResourceType<SecurityGroup>({
  type: "ec2.security-group",
  title: "Security group",
  sdkService: "ec2",
  global: false,
  iamActions: ["ec2:DescribeSecurityGroups"],
  async items(context, scope) {
    const client = context.client(EC2Client);
    const groups = await collect(
      paginateDescribeSecurityGroups({ client }, {}),
      (p) => p.SecurityGroups,
    );
    return groups.map((raw) => ({
      arn: ec2Arn(scope, "security-group", raw.GroupId ?? "", raw.OwnerId ?? scope.account),
      raw,
    }));
  },
  parent: (g, scope) => (g.VpcId === undefined ? null : ec2Arn(scope, "vpc", g.VpcId)),
  edges: ({ arn, raw }, scope) => {
    const edges: Edge[] = [];
    const seen = new Set<string>();
    for (const permission of raw.IpPermissions ?? []) {
      for (const pair of permission.UserIdGroupPairs ?? []) {
        if (pair.GroupId === undefined) continue;
        const from = ec2Arn(scope, "security-group", pair.GroupId, pair.UserId ?? scope.account);
        if (from === arn || seen.has(from)) continue;
        seen.add(from);
        edges.push({ from, to: arn, kind: "allows" });
      }
    }
    return edges;
  },
  attributes: (g) =>
    tagged(g.Tags, {
      name: g.GroupName,
      details: details({
        description: g.Description,
        inboundRules: g.IpPermissions?.length ?? 0,
        outboundRules: g.IpPermissionsEgress?.length ?? 0,
      }),
    }),
});
