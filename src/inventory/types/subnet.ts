import { EC2Client, paginateDescribeSubnets, type Subnet } from "@aws-sdk/client-ec2";
import { collect, defineResourceType, details, ec2Arn, tagged } from "../resource-type.js";

/** Subnets: in their VPC and availability zone. */
export const subnet = defineResourceType<Subnet>({
  type: "ec2.subnet",
  title: "Subnet",
  sdkService: "ec2",
  global: false,
  iamActions: ["ec2:DescribeSubnets"],
  async items(context, scope) {
    const client = context.client(EC2Client);
    const subnets = await collect(paginateDescribeSubnets({ client }, {}), (p) => p.Subnets);
    return subnets.map((raw) => ({ arn: ec2Arn(scope, "subnet", raw.SubnetId ?? ""), raw }));
  },
  parent: (s, scope) => (s.VpcId === undefined ? null : ec2Arn(scope, "vpc", s.VpcId)),
  zone: (s) => s.AvailabilityZone,
  attributes: (s) =>
    tagged(s.Tags, {
      ...(s.State === undefined ? {} : { state: s.State }),
      details: details({
        cidrBlock: s.CidrBlock,
        availabilityZone: s.AvailabilityZone,
        availableIpAddressCount: s.AvailableIpAddressCount,
        mapPublicIpOnLaunch: s.MapPublicIpOnLaunch,
      }),
    }),
});
