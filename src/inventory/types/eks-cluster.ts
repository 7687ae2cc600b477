import {
  DescribeClusterCommand,
  EKSClient,
  paginateListClusters,
  type Cluster,
} from "@aws-sdk/client-eks";
import { collect, defineResourceType, details, ec2Arn, type Edge } from "../resource-type.js";

/** EKS clusters: in their VPC; edges to their subnets and security groups. */
export const eksCluster = defineResourceType<Cluster>({
  type: "eks.cluster",
  title: "EKS cluster",
  sdkService: "eks",
  global: false,
  iamActions: ["eks:ListClusters", "eks:DescribeCluster"],
  async items(context, scope) {
    const client = context.client(EKSClient);
    const names = await collect(paginateListClusters({ client }, {}), (p) => p.clusters);
    const items = [];
    for (const name of names) {
      const answer = await client.send(new DescribeClusterCommand({ name }));
      const raw = answer.cluster ?? { name };
      items.push({
        arn:
          raw.arn ?? `arn:${scope.partition}:eks:${scope.region}:${scope.account}:cluster/${name}`,
        raw,
      });
    }
    return items;
  },
  parent: (c, scope) => {
    const vpcId = c.resourcesVpcConfig?.vpcId;
    return vpcId === undefined ? null : ec2Arn(scope, "vpc", vpcId);
  },
  edges: ({ arn, raw }, scope) => [
    ...(raw.resourcesVpcConfig?.subnetIds ?? []).map((id): Edge => ({
      from: arn,
      to: ec2Arn(scope, "subnet", id),
      kind: "in-subnet",
    })),
    ...(raw.resourcesVpcConfig?.securityGroupIds ?? []).map((id): Edge => ({
      from: arn,
      to: ec2Arn(scope, "security-group", id),
      kind: "uses-group",
    })),
  ],
  attributes: (c) => ({
    ...(c.name === undefined ? {} : { name: c.name }),
    ...(c.status === undefined ? {} : { state: c.status }),
    ...(c.tags === undefined ? {} : { tags: c.tags }),
    details: details({ version: c.version, platformVersion: c.platformVersion }),
  }),
});
