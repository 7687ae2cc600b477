import { EC2Client, paginateDescribeNatGateways, type NatGateway } from "@aws-sdk/client-ec2";
import { collect, defineResourceType, details, ec2Arn, tagged } from "../resource-type.js";

/** NAT gateways: in their subnet. */
export const natGateway = defineResourceType<NatGateway>({
  type: "ec2.nat-gateway",
  title: "NAT gateway",
  sdkService: "ec2",
  global: false,
  iamActions: ["ec2:DescribeNatGateways"],
  async items(context, scope) {
    const client = context.client(EC2Client);
    const gateways = await collect(
      paginateDescribeNatGateways({ client }, {}),
      (p) => p.NatGateways,
    );
    return gateways.map((raw) => ({
      arn: ec2Arn(scope, "natgateway", raw.NatGatewayId ?? ""),
      raw,
    }));
  },
  parent: (g, scope) => (g.SubnetId === undefined ? null : ec2Arn(scope, "subnet", g.SubnetId)),
  attributes: (g) =>
    tagged(g.Tags, {
      ...(g.State === undefined ? {} : { state: g.State }),
      details: details({
        connectivityType: g.ConnectivityType,
        publicIp: g.NatGatewayAddresses?.[0]?.PublicIp,
        privateIp: g.NatGatewayAddresses?.[0]?.PrivateIp,
      }),
    }),
});
