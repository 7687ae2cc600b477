import { EC2Client, paginateDescribeVpcs, type Vpc } from "@aws-sdk/client-ec2";
import { collect, defineResourceType, details, ec2Arn, tagged } from "../resource-type.js";

/** VPCs: the region's top boxes. */
export const vpc = defineResourceType<Vpc>({
  type: "ec2.vpc",
  title: "VPC",
  sdkService: "ec2",
  global: false,
  iamActions: ["ec2:DescribeVpcs"],
  async items(context, scope) {
    const client = context.client(EC2Client);
    const vpcs = await collect(paginateDescribeVpcs({ client }, {}), (p) => p.Vpcs);
    return vpcs.map((raw) => ({ arn: ec2Arn(scope, "vpc", raw.VpcId ?? ""), raw }));
  },
  attributes: (v) =>
    tagged(v.Tags, {
      ...(v.State === undefined ? {} : { state: v.State }),
      details: details({ cidrBlock: v.CidrBlock, isDefault: v.IsDefault }),
    }),
});
