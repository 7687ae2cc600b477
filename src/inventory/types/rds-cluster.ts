import { paginateDescribeDBClusters, RDSClient, type DBCluster } from "@aws-sdk/client-rds";
import { collect, defineResourceType, details, ec2Arn, type Edge } from "../resource-type.js";

/** RDS (Aurora) clusters: in the region; edges to their security groups. */
export const rdsCluster = defineResourceType<DBCluster>({
  type: "rds.cluster",
  title: "RDS cluster",
  sdkService: "rds",
  global: false,
  iamActions: ["rds:DescribeDBClusters"],
  async items(context) {
    const client = context.client(RDSClient);
    const clusters = await collect(paginateDescribeDBClusters({ client }, {}), (p) => p.DBClusters);
    return clusters.map((raw) => ({ arn: raw.DBClusterArn ?? "", raw }));
  },
  edges: ({ arn, raw }, scope) =>
    (raw.VpcSecurityGroups ?? []).flatMap((g): Edge[] =>
      g.VpcSecurityGroupId === undefined
        ? []
        : [
            {
              from: arn,
              to: ec2Arn(scope, "security-group", g.VpcSecurityGroupId),
              kind: "uses-group",
            },
          ],
    ),
  attributes: (c) => ({
    ...(c.DBClusterIdentifier === undefined ? {} : { name: c.DBClusterIdentifier }),
    ...(c.Status === undefined ? {} : { state: c.Status }),
    details: details({
      engine: c.Engine,
      engineVersion: c.EngineVersion,
      endpoint: c.Endpoint,
      readerEndpoint: c.ReaderEndpoint,
      members: c.DBClusterMembers?.length ?? 0,
    }),
  }),
});
