import { ECSClient, paginateListClusters } from "@aws-sdk/client-ecs";
import { collect, defineResourceType, idOfArn } from "../resource-type.js";

/** ECS clusters: in the region; their services are inside them. */
export const ecsCluster = defineResourceType<{ clusterArn: string }>({
  type: "ecs.cluster",
  title: "ECS cluster",
  sdkService: "ecs",
  global: false,
  iamActions: ["ecs:ListClusters"],
  async items(context) {
    const client = context.client(ECSClient);
    const arns = await collect(paginateListClusters({ client }, {}), (p) => p.clusterArns);
    return arns.map((arn) => ({ arn, raw: { clusterArn: arn } }));
  },
  attributes: (c) => ({ name: idOfArn(c.clusterArn), details: {} }),
});
