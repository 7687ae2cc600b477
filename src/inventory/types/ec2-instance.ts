import { EC2Client, paginateDescribeInstances, type Instance } from "@aws-sdk/client-ec2";
import {
  collect,
  defineResourceType,
  details,
  ec2Arn,
  tagged,
  type Edge,
} from "../resource-type.js";

/** EC2 instances: in their subnet; an edge to each of their security groups. */
export const ec2Instance = defineResourceType<Instance>({
  type: "ec2.instance",
  title: "EC2 instance",
  sdkService: "ec2",
  global: false,
  iamActions: ["ec2:DescribeInstances"],
  async items(context, scope) {
    const client = context.client(EC2Client);
    const reservations = await collect(
      paginateDescribeInstances({ client }, {}),
      (p) => p.Reservations,
    );
    return reservations.flatMap((reservation) =>
      (reservation.Instances ?? []).map((raw) => ({
        arn: ec2Arn(scope, "instance", raw.InstanceId ?? "", reservation.OwnerId ?? scope.account),
        raw,
      })),
    );
  },
  parent: (i, scope) => (i.SubnetId === undefined ? null : ec2Arn(scope, "subnet", i.SubnetId)),
  edges: ({ arn, raw }, scope) =>
    (raw.SecurityGroups ?? []).flatMap((g): Edge[] =>
      g.GroupId === undefined
        ? []
        : [{ from: arn, to: ec2Arn(scope, "security-group", g.GroupId), kind: "uses-group" }],
    ),
  attributes: (i) =>
    tagged(i.Tags, {
      ...(i.State?.Name === undefined ? {} : { state: i.State.Name }),
      details: details({
        instanceType: i.InstanceType,
        availabilityZone: i.Placement?.AvailabilityZone,
        privateIpAddress: i.PrivateIpAddress,
        publicIpAddress: i.PublicIpAddress,
        imageId: i.ImageId,
        launchTime: i.LaunchTime,
        platform: i.PlatformDetails,
      }),
    }),
});
