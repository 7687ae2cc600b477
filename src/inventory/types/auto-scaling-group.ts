import {
  AutoScalingClient,
  paginateDescribeAutoScalingGroups,
  type AutoScalingGroup,
} from "@aws-sdk/client-auto-scaling";
import {
  collect,
  defineResourceType,
  details,
  ec2Arn,
  tagsOf,
  type Edge,
} from "../resource-type.js";

/** Auto Scaling groups: edges to their subnets, instances and target groups. */
export const autoScalingGroup = defineResourceType<AutoScalingGroup>({
  type: "autoscaling.group",
  title: "Auto Scaling group",
  sdkService: "auto-scaling",
  global: false,
  iamActions: ["autoscaling:DescribeAutoScalingGroups"],
  async items(context) {
    const client = context.client(AutoScalingClient);
    const groups = await collect(
      paginateDescribeAutoScalingGroups({ client }, {}),
      (p) => p.AutoScalingGroups,
    );
    return groups.map((raw) => ({ arn: raw.AutoScalingGroupARN ?? "", raw }));
  },
  edges: ({ arn, raw }, scope) => [
    ...(raw.VPCZoneIdentifier ?? "")
      .split(",")
      .filter((id) => id.trim() !== "")
      .map((id): Edge => ({
        from: arn,
        to: ec2Arn(scope, "subnet", id.trim()),
        kind: "in-subnet",
      })),
    ...(raw.Instances ?? []).flatMap((i): Edge[] =>
      i.InstanceId === undefined
        ? []
        : [{ from: arn, to: ec2Arn(scope, "instance", i.InstanceId), kind: "manages" }],
    ),
    ...(raw.TargetGroupARNs ?? []).map((tg): Edge => ({ from: arn, to: tg, kind: "registers-in" })),
  ],
  attributes: (g) => {
    const tags = tagsOf(g.Tags?.map((t) => ({ Key: t.Key, Value: t.Value })));
    return {
      ...(g.AutoScalingGroupName === undefined ? {} : { name: g.AutoScalingGroupName }),
      state: g.Status ?? "active",
      tags,
      details: details({
        desiredCapacity: g.DesiredCapacity,
        minSize: g.MinSize,
        maxSize: g.MaxSize,
        instances: g.Instances?.length ?? 0,
      }),
    };
  },
});
