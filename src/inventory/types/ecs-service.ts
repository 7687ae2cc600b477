import {
  DescribeServicesCommand,
  ECSClient,
  paginateListClusters,
  paginateListServices,
  type Service,
} from "@aws-sdk/client-ecs";
import { collect, defineResourceType, details, ec2Arn, type Edge } from "../resource-type.js";

/**
 * ECS services: inside their cluster; edges to the target groups they register in (the load
 * balancer is reached through them) and, in awsvpc mode, to their subnets and security groups.
 */
export const ecsService = defineResourceType<Service>({
  type: "ecs.service",
  title: "ECS service",
  sdkService: "ecs",
  global: false,
  iamActions: ["ecs:ListClusters", "ecs:ListServices", "ecs:DescribeServices"],
  async items(context) {
    const client = context.client(ECSClient);
    const clusters = await collect(paginateListClusters({ client }, {}), (p) => p.clusterArns);
    const items = [];
    for (const cluster of clusters) {
      const arns = await collect(
        paginateListServices({ client }, { cluster }),
        (p) => p.serviceArns,
      );
      // DescribeServices takes at most 10 services a call.
      for (let i = 0; i < arns.length; i += 10) {
        const answer = await client.send(
          new DescribeServicesCommand({ cluster, services: arns.slice(i, i + 10) }),
        );
        for (const raw of answer.services ?? [])
          items.push({
            arn: raw.serviceArn ?? "",
            raw: { ...raw, clusterArn: raw.clusterArn ?? cluster },
          });
      }
    }
    return items;
  },
  parent: (s) => s.clusterArn ?? null,
  edges: ({ arn, raw }, scope) => {
    const vpc = raw.networkConfiguration?.awsvpcConfiguration;
    return [
      ...(raw.loadBalancers ?? []).flatMap((lb): Edge[] =>
        lb.targetGroupArn === undefined
          ? []
          : [{ from: arn, to: lb.targetGroupArn, kind: "registers-in" }],
      ),
      ...(vpc?.subnets ?? []).map((id): Edge => ({
        from: arn,
        to: ec2Arn(scope, "subnet", id),
        kind: "in-subnet",
      })),
      ...(vpc?.securityGroups ?? []).map((id): Edge => ({
        from: arn,
        to: ec2Arn(scope, "security-group", id),
        kind: "uses-group",
      })),
    ];
  },
  attributes: (s) => ({
    ...(s.serviceName === undefined ? {} : { name: s.serviceName }),
    ...(s.status === undefined ? {} : { state: s.status }),
    details: details({
      launchType: s.launchType,
      desiredCount: s.desiredCount,
      runningCount: s.runningCount,
      pendingCount: s.pendingCount,
      taskDefinition: s.taskDefinition,
    }),
  }),
});
