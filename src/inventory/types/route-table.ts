import { EC2Client, paginateDescribeRouteTables, type RouteTable } from "@aws-sdk/client-ec2";
import {
  collect,
  defineResourceType,
  details,
  ec2Arn,
  tagged,
  type Edge,
} from "../resource-type.js";

/** Route tables: in their VPC; edges to the subnets they serve and the gateways they route to. */
export const routeTable = defineResourceType<RouteTable>({
  type: "ec2.route-table",
  title: "Route table",
  sdkService: "ec2",
  global: false,
  iamActions: ["ec2:DescribeRouteTables"],
  async items(context, scope) {
    const client = context.client(EC2Client);
    const tables = await collect(paginateDescribeRouteTables({ client }, {}), (p) => p.RouteTables);
    return tables.map((raw) => ({
      arn: ec2Arn(scope, "route-table", raw.RouteTableId ?? ""),
      raw,
    }));
  },
  parent: (t, scope) => (t.VpcId === undefined ? null : ec2Arn(scope, "vpc", t.VpcId)),
  edges: ({ arn, raw }, scope) => {
    const edges: Edge[] = [];
    for (const association of raw.Associations ?? []) {
      if (association.SubnetId !== undefined)
        edges.push({
          from: arn,
          to: ec2Arn(scope, "subnet", association.SubnetId),
          kind: "serves",
        });
    }
    for (const route of raw.Routes ?? []) {
      if (route.GatewayId?.startsWith("igw-") === true)
        edges.push({
          from: arn,
          to: ec2Arn(scope, "internet-gateway", route.GatewayId),
          kind: "routes-to",
        });
      if (route.NatGatewayId !== undefined)
        edges.push({
          from: arn,
          to: ec2Arn(scope, "natgateway", route.NatGatewayId),
          kind: "routes-to",
        });
    }
    return edges;
  },
  attributes: (t) =>
    tagged(t.Tags, {
      details: details({
        routes: t.Routes?.length ?? 0,
        main: t.Associations?.some((a) => a.Main === true) ?? false,
      }),
    }),
});
