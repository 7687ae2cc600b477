import {
  ElastiCacheClient,
  paginateDescribeCacheClusters,
  paginateDescribeCacheSubnetGroups,
  type CacheCluster,
} from "@aws-sdk/client-elasticache";
import { collect, defineResourceType, details, ec2Arn, type Edge } from "../resource-type.js";

type Cluster = CacheCluster & { vpcId?: string | undefined; subnetIds: string[] };

/** ElastiCache clusters: in their subnet group's VPC; edges to its subnets and their security groups. */
export const elasticacheCluster = defineResourceType<Cluster>({
  type: "elasticache.cluster",
  title: "ElastiCache cluster",
  sdkService: "elasticache",
  global: false,
  iamActions: ["elasticache:DescribeCacheClusters", "elasticache:DescribeCacheSubnetGroups"],
  async items(context) {
    const client = context.client(ElastiCacheClient);
    const clusters = await collect(
      paginateDescribeCacheClusters({ client }, {}),
      (p) => p.CacheClusters,
    );
    const groups =
      clusters.length === 0
        ? []
        : await collect(
            paginateDescribeCacheSubnetGroups({ client }, {}),
            (p) => p.CacheSubnetGroups,
          );
    const byName = new Map(groups.map((g) => [g.CacheSubnetGroupName, g]));
    return clusters.map((raw) => {
      const group = byName.get(raw.CacheSubnetGroupName);
      return {
        arn: raw.ARN ?? "",
        raw: {
          ...raw,
          vpcId: group?.VpcId,
          subnetIds: (group?.Subnets ?? []).flatMap((s) =>
            s.SubnetIdentifier === undefined ? [] : [s.SubnetIdentifier],
          ),
        },
      };
    });
  },
  parent: (c, scope) => (c.vpcId === undefined ? null : ec2Arn(scope, "vpc", c.vpcId)),
  edges: ({ arn, raw }, scope) => [
    ...raw.subnetIds.map((id): Edge => ({
      from: arn,
      to: ec2Arn(scope, "subnet", id),
      kind: "in-subnet",
    })),
    ...(raw.SecurityGroups ?? []).flatMap((g): Edge[] =>
      g.SecurityGroupId === undefined
        ? []
        : [
            {
              from: arn,
              to: ec2Arn(scope, "security-group", g.SecurityGroupId),
              kind: "uses-group",
            },
          ],
    ),
  ],
  attributes: (c) => ({
    ...(c.CacheClusterId === undefined ? {} : { name: c.CacheClusterId }),
    ...(c.CacheClusterStatus === undefined ? {} : { state: c.CacheClusterStatus }),
    details: details({
      engine: c.Engine,
      engineVersion: c.EngineVersion,
      nodeType: c.CacheNodeType,
      nodes: c.NumCacheNodes,
    }),
  }),
});
