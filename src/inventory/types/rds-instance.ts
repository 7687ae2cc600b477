import { paginateDescribeDBInstances, RDSClient, type DBInstance } from "@aws-sdk/client-rds";
import { collect, defineResourceType, details, ec2Arn, type Edge } from "../resource-type.js";

/**
 * RDS instances: in the subnet of their subnet group that is in their availability zone (else
 * their VPC); edges to their security groups and their cluster.
 */
export const rdsInstance = defineResourceType<DBInstance>({
  type: "rds.instance",
  title: "RDS instance",
  sdkService: "rds",
  global: false,
  iamActions: ["rds:DescribeDBInstances"],
  async items(context) {
    const client = context.client(RDSClient);
    const instances = await collect(
      paginateDescribeDBInstances({ client }, {}),
      (p) => p.DBInstances,
    );
    return instances.map((raw) => ({ arn: raw.DBInstanceArn ?? "", raw }));
  },
  parent: (db, scope) => {
    const group = db.DBSubnetGroup;
    const subnet = group?.Subnets?.find(
      (s) => s.SubnetAvailabilityZone?.Name === db.AvailabilityZone,
    )?.SubnetIdentifier;
    if (subnet !== undefined) return ec2Arn(scope, "subnet", subnet);
    return group?.VpcId === undefined ? null : ec2Arn(scope, "vpc", group.VpcId);
  },
  edges: ({ arn, raw }, scope) => [
    ...(raw.VpcSecurityGroups ?? []).flatMap((g): Edge[] =>
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
    ...(raw.DBClusterIdentifier === undefined
      ? []
      : [
          {
            from: arn,
            to: `arn:${scope.partition}:rds:${scope.region}:${scope.account}:cluster:${raw.DBClusterIdentifier}`,
            kind: "member-of",
          },
        ]),
  ],
  attributes: (db) => ({
    ...(db.DBInstanceIdentifier === undefined ? {} : { name: db.DBInstanceIdentifier }),
    ...(db.DBInstanceStatus === undefined ? {} : { state: db.DBInstanceStatus }),
    details: details({
      engine: db.Engine,
      engineVersion: db.EngineVersion,
      instanceClass: db.DBInstanceClass,
      allocatedStorageGiB: db.AllocatedStorage,
      multiAZ: db.MultiAZ,
      endpoint: db.Endpoint?.Address,
      port: db.Endpoint?.Port,
      availabilityZone: db.AvailabilityZone,
    }),
  }),
});
