import { startEmulator, type Emulator, type WorldInput } from "../../emulator/index.js";
import type { Db } from "../../src/db/index.js";
import { useEmulatorAsInstance, useExternalId } from "../helpers/demo-setup.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";
import { hubAccount, trustingHost } from "../helpers/worlds.js";

export const HUB = "300000000000";
export const PROD = "300000000001";
export const DEV = "300000000002";
export const REGIONS = ["us-east-1", "eu-west-1"];
const EXTERNAL_ID = "sb-inventory-external-id";

/** Attributes that must never be stored: the scan looks for each. */
export const SECRET_ATTRIBUTES = {
  privateIp: "10.77.3.141",
  state: "stopping",
  nameTag: "inv-orders-api-7f3a",
  rdsEndpoint: "orders-db.cq7zx1k2.us-east-1.rds.amazonaws.com",
  /** A CloudWatch alarm in ALARM on the instance: the live view names it, nothing keeps it. */
  alarmName: "inv-orders-api-cpu-3c9e",
};

/** A metric alarm on one dimension, as DescribeAlarms returns it. */
export function metricAlarm(
  account: string,
  region: string,
  name: string,
  dimension: { Name: string; Value: string },
  state: "OK" | "ALARM" = "ALARM",
) {
  return {
    AlarmName: name,
    AlarmArn: `arn:aws:cloudwatch:${region}:${account}:alarm:${name}`,
    StateValue: state,
    StateReason: "Threshold Crossed",
    MetricName: "Metric",
    Namespace: "AWS/Test",
    Statistic: "Average",
    Period: 300,
    EvaluationPeriods: 1,
    Threshold: 1,
    ComparisonOperator: "GreaterThanThreshold",
    Dimensions: [dimension],
  };
}

/** The types the emulator serves today (ELBv2, EKS and API Gateway are left out of the world). */
export const TEST_TYPES = [
  "ec2.vpc",
  "ec2.subnet",
  "ec2.route-table",
  "ec2.internet-gateway",
  "ec2.nat-gateway",
  "ec2.security-group",
  "ec2.instance",
  "ec2.volume",
  "autoscaling.group",
  "ecs.cluster",
  "ecs.service",
  "lambda.function",
  "rds.instance",
  "rds.cluster",
  "dynamodb.table",
  "s3.bucket",
  "sqs.queue",
  "sns.topic",
  "elasticache.cluster",
  "elbv2.load-balancer",
  "elbv2.target-group",
  "eks.cluster",
  "cloudfront.distribution",
  "apigateway.rest-api",
  "apigateway.http-api",
];

/** The month before this one, YYYY-MM: the month Cost Explorer's actuals are asked for. */
export const LAST_MONTH = new Date(
  Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() - 1, 1),
)
  .toISOString()
  .slice(0, 7);

/** The types listed once per account. */
export const GLOBAL_TYPES = ["s3.bucket", "cloudfront.distribution"];

/** A load balancer of the world (its ARN and DNS name). */
export const balancer = (account: string, region: string, n: number) => ({
  arn: `arn:aws:elasticloadbalancing:${region}:${account}:loadbalancer/app/web-${n}/50dc6c495c0c91${n}`,
  dns: `web-${n}-1234567890.${region}.elb.amazonaws.com`,
});

const ec2 = (region: string, account: string, kind: string, id: string) =>
  `arn:aws:ec2:${region}:${account}:${kind}/${id}`;

/** One account's estate in one region: a VPC with two subnets and the resources in them. */
function estate(account: string, region: string, n: number) {
  const vpc = `vpc-${n}a`;
  const subnetA = `subnet-${n}a`;
  const subnetB = `subnet-${n}b`;
  const web = `sg-${n}web`;
  const db = `sg-${n}db`;
  const special = account === PROD && region === "us-east-1";
  return {
    ec2: {
      Vpcs: [{ VpcId: vpc, CidrBlock: "10.77.0.0/16", State: "available", OwnerId: account }],
      Subnets: [
        { SubnetId: subnetA, VpcId: vpc, AvailabilityZone: `${region}a`, OwnerId: account },
        { SubnetId: subnetB, VpcId: vpc, AvailabilityZone: `${region}b`, OwnerId: account },
      ],
      SecurityGroups: [
        { GroupId: web, GroupName: "web", VpcId: vpc, OwnerId: account, IpPermissions: [] },
        {
          GroupId: db,
          GroupName: "db",
          VpcId: vpc,
          OwnerId: account,
          IpPermissions: [
            {
              IpProtocol: "tcp",
              FromPort: 5432,
              ToPort: 5432,
              UserIdGroupPairs: [{ GroupId: web }],
            },
          ],
        },
      ],
      RouteTables: [
        {
          RouteTableId: `rtb-${n}`,
          VpcId: vpc,
          Associations: [{ SubnetId: subnetA, Main: false }],
          Routes: [{ DestinationCidrBlock: "0.0.0.0/0", GatewayId: `igw-${n}` }],
        },
      ],
      InternetGateways: [
        { InternetGatewayId: `igw-${n}`, Attachments: [{ VpcId: vpc, State: "available" }] },
      ],
      NatGateways: [
        { NatGatewayId: `nat-${n}`, SubnetId: subnetA, VpcId: vpc, State: "available" },
      ],
      Instances: [
        {
          InstanceId: `i-${n}web`,
          InstanceType: "t3.micro",
          State: special
            ? { Code: 64, Name: SECRET_ATTRIBUTES.state }
            : { Code: 16, Name: "running" },
          SubnetId: subnetA,
          VpcId: vpc,
          PrivateIpAddress: special ? SECRET_ATTRIBUTES.privateIp : "10.77.1.10",
          Placement: { AvailabilityZone: `${region}a` },
          SecurityGroups: [{ GroupId: web, GroupName: "web" }],
          Tags: [{ Key: "Name", Value: special ? SECRET_ATTRIBUTES.nameTag : "web" }],
        },
      ],
      Volumes: [
        {
          VolumeId: `vol-${n}`,
          Size: 20,
          VolumeType: "gp3",
          State: "in-use",
          AvailabilityZone: `${region}a`,
          Attachments: [{ InstanceId: `i-${n}web`, VolumeId: `vol-${n}`, State: "attached" }],
        },
      ],
    },
    autoscaling: {
      AutoScalingGroups: [
        {
          AutoScalingGroupName: `asg-${n}`,
          AutoScalingGroupARN: `arn:aws:autoscaling:${region}:${account}:autoScalingGroup:uuid-${n}:autoScalingGroupName/asg-${n}`,
          MinSize: 1,
          MaxSize: 2,
          DesiredCapacity: 1,
          DefaultCooldown: 300,
          AvailabilityZones: [`${region}a`],
          HealthCheckType: "EC2",
          CreatedTime: "2026-01-01T00:00:00Z",
          VPCZoneIdentifier: `${subnetA},${subnetB}`,
          Instances: [],
        },
      ],
    },
    ecs: {
      clusters: [
        {
          clusterArn: `arn:aws:ecs:${region}:${account}:cluster/apps-${n}`,
          clusterName: `apps-${n}`,
          status: "ACTIVE",
        },
      ],
      services: [
        {
          serviceArn: `arn:aws:ecs:${region}:${account}:service/apps-${n}/api`,
          serviceName: "api",
          clusterArn: `arn:aws:ecs:${region}:${account}:cluster/apps-${n}`,
          status: "ACTIVE",
          desiredCount: 2,
          runningCount: 2,
          launchType: "FARGATE",
          networkConfiguration: {
            awsvpcConfiguration: { subnets: [subnetA, subnetB], securityGroups: [web] },
          },
        },
      ],
    },
    lambda: {
      Functions: [
        {
          FunctionName: `worker-${n}`,
          FunctionArn: `arn:aws:lambda:${region}:${account}:function:worker-${n}`,
          Runtime: "nodejs20.x",
          VpcConfig: { SubnetIds: [subnetB], SecurityGroupIds: [web], VpcId: vpc },
        },
      ],
    },
    rds: {
      DBInstances: [
        {
          DBInstanceIdentifier: `orders-${n}`,
          DBInstanceArn: `arn:aws:rds:${region}:${account}:db:orders-${n}`,
          DBInstanceClass: "db.t3.medium",
          Engine: "postgres",
          DBInstanceStatus: "available",
          AvailabilityZone: `${region}b`,
          Endpoint: {
            Address: special
              ? SECRET_ATTRIBUTES.rdsEndpoint
              : `orders-${n}.example.rds.amazonaws.com`,
            Port: 5432,
          },
          DBSubnetGroup: {
            DBSubnetGroupName: "main",
            VpcId: vpc,
            Subnets: [
              { SubnetIdentifier: subnetA, SubnetAvailabilityZone: { Name: `${region}a` } },
              { SubnetIdentifier: subnetB, SubnetAvailabilityZone: { Name: `${region}b` } },
            ],
          },
          VpcSecurityGroups: [{ VpcSecurityGroupId: db, Status: "active" }],
        },
      ],
      DBClusters: [],
    },
    elasticloadbalancingv2: {
      LoadBalancers: [
        {
          LoadBalancerArn: balancer(account, region, n).arn,
          DNSName: balancer(account, region, n).dns,
          LoadBalancerName: `web-${n}`,
          Scheme: "internet-facing",
          VpcId: vpc,
          State: { Code: "active" },
          Type: "application",
          AvailabilityZones: [
            { ZoneName: `${region}a`, SubnetId: subnetA },
            { ZoneName: `${region}b`, SubnetId: subnetB },
          ],
          SecurityGroups: [web],
          IpAddressType: "ipv4",
        },
      ],
      TargetGroups: [
        {
          TargetGroupArn: `arn:aws:elasticloadbalancing:${region}:${account}:targetgroup/web-${n}/6d0ecf831eec9f${n}`,
          TargetGroupName: `web-${n}`,
          Protocol: "HTTP",
          Port: 80,
          VpcId: vpc,
          TargetType: "instance",
          LoadBalancerArns: [balancer(account, region, n).arn],
          Targets: [{ Id: `i-${n}web`, Port: 80 }],
        },
      ],
    },
    eks: {
      clusters: [
        {
          name: `k8s-${n}`,
          arn: `arn:aws:eks:${region}:${account}:cluster/k8s-${n}`,
          status: "ACTIVE",
          version: "1.31",
          resourcesVpcConfig: {
            vpcId: vpc,
            subnetIds: [subnetA, subnetB],
            securityGroupIds: [web],
          },
        },
      ],
    },
    apigateway: { RestApis: [{ id: `api${n}x`, name: `api-${n}` }] },
    apigatewayv2: { Apis: [{ ApiId: `http${n}x`, Name: `http-${n}`, ProtocolType: "HTTP" }] },
    dynamodb: { TableNames: [`events-${n}`] },
    sqs: { QueueUrls: [`https://sqs.${region}.amazonaws.com/${account}/jobs-${n}`] },
    sns: { Topics: [{ TopicArn: `arn:aws:sns:${region}:${account}:alerts-${n}` }] },
    monitoring: {
      MetricAlarms: special
        ? [
            metricAlarm(account, region, SECRET_ATTRIBUTES.alarmName, {
              Name: "InstanceId",
              Value: `i-${n}web`,
            }),
          ]
        : [],
    },
  };
}

export function inventoryWorld(): WorldInput {
  const member = (id: string, name: string, base: number) => ({
    id,
    name,
    roles: [
      {
        name: "switchboard-read",
        trust: trustingHost(HUB, EXTERNAL_ID),
        policies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
      },
    ],
    resources: {
      ...Object.fromEntries(REGIONS.map((r, k) => [r, estate(id, r, base + k)])),
      global: {
        // Last month's spend per service, for Cost Explorer (fixture figures).
        ce: {
          MonthlyCosts: [
            {
              Month: LAST_MONTH,
              Services: {
                "Amazon Elastic Compute Cloud - Compute": "20.00",
                "Amazon Relational Database Service": "50.50",
              },
            },
          ],
        },
        cloudfront: {
          Distributions: [
            {
              Id: `EDIST${base}`,
              ARN: `arn:aws:cloudfront::${id}:distribution/EDIST${base}`,
              Status: "Deployed",
              DomainName: `d${base}.cloudfront.net`,
              Enabled: true,
              Origins: {
                Quantity: 4,
                Items: [
                  { Id: "assets", DomainName: `assets-${id}.s3.amazonaws.com` },
                  { Id: "web", DomainName: balancer(id, "us-east-1", base).dns },
                  // Another region's load balancer, and one of a region no connection allows.
                  { Id: "web-eu", DomainName: balancer(id, "eu-west-1", base + 1).dns },
                  { Id: "web-ap", DomainName: balancer(id, "ap-southeast-2", base).dns },
                ],
              },
            },
          ],
        },
        s3: {
          Buckets: [
            {
              Name: `assets-${id}`,
              CreationDate: "2026-01-01T00:00:00Z",
              BucketRegion: "us-east-1",
            },
          ],
        },
      },
    },
  });
  return {
    regions: REGIONS,
    accounts: [hubAccount(HUB), member(PROD, "prod", 10), member(DEV, "dev", 20)],
  };
}

/** The ARN of a resource of the world by its kind and id. */
export { ec2 as ec2Arn };

export interface InventoryStage {
  t: TestApp;
  emulator: Emulator;
  close(): Promise<void>;
}

/** The app on the database, the emulator with the world, connections prod and dev (read roles). */
export async function inventoryStage(
  db: Db,
  app: Parameters<typeof createTestApp>[1] = {},
): Promise<InventoryStage> {
  const emulator = await startEmulator({ world: inventoryWorld() });
  const restoreEnv = useEmulatorAsInstance(emulator.url);
  const t = await createTestApp(db, app);
  const put = await t.call("PUT", "/api/v1/settings/outbound", {
    body: { allow: ["*.amazonaws.com", `127.0.0.1:${emulator.port}`] },
  });
  if (put.statusCode !== 200) throw new Error(put.body);
  for (const [name, account] of [
    ["prod", PROD],
    ["dev", DEV],
  ] as const) {
    const created = await t.call("POST", "/api/v1/connections", {
      body: {
        name,
        method: "assume_role",
        roleArn: `arn:aws:iam::${account}:role/switchboard-read`,
        endpoint: emulator.url,
        regions: REGIONS,
        access: "read",
      },
    });
    if (created.statusCode !== 201) throw new Error(created.body);
  }
  await useExternalId(db, EXTERNAL_ID);
  return {
    t,
    emulator,
    close: async () => {
      restoreEnv();
      await t.close();
      await emulator.close();
    },
  };
}
