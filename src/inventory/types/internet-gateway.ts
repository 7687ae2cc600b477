import {
  EC2Client,
  paginateDescribeInternetGateways,
  type InternetGateway,
} from "@aws-sdk/client-ec2";
import { collect, defineResourceType, ec2Arn, tagged } from "../resource-type.js";

/** Internet gateways: in the VPC they are attached to. */
export const internetGateway = defineResourceType<InternetGateway>({
  type: "ec2.internet-gateway",
  title: "Internet gateway",
  sdkService: "ec2",
  global: false,
  iamActions: ["ec2:DescribeInternetGateways"],
  async items(context, scope) {
    const client = context.client(EC2Client);
    const gateways = await collect(
      paginateDescribeInternetGateways({ client }, {}),
      (p) => p.InternetGateways,
    );
    return gateways.map((raw) => ({
      arn: ec2Arn(scope, "internet-gateway", raw.InternetGatewayId ?? ""),
      raw,
    }));
  },
  parent: (g, scope) => {
    const vpcId = g.Attachments?.[0]?.VpcId;
    return vpcId === undefined ? null : ec2Arn(scope, "vpc", vpcId);
  },
  attributes: (g) => {
    const state = g.Attachments?.[0]?.State;
    return tagged(g.Tags, { ...(state === undefined ? {} : { state }), details: {} });
  },
});
