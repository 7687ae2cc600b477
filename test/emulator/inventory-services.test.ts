import { APIGatewayClient, GetRestApisCommand } from "@aws-sdk/client-api-gateway";
import { ApiGatewayV2Client, GetApisCommand } from "@aws-sdk/client-apigatewayv2";
import { AutoScalingClient, paginateDescribeAutoScalingGroups } from "@aws-sdk/client-auto-scaling";
import { CloudFrontClient, paginateListDistributions } from "@aws-sdk/client-cloudfront";
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  SetAlarmStateCommand,
} from "@aws-sdk/client-cloudwatch";
import { DescribeTableCommand, DynamoDBClient, paginateListTables } from "@aws-sdk/client-dynamodb";
import {
  DescribeAvailabilityZonesCommand,
  DescribeInstancesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVolumesCommand,
  DescribeVpcsCommand,
  EC2Client,
  paginateDescribeSubnets,
  StartInstancesCommand,
  StopInstancesCommand,
} from "@aws-sdk/client-ec2";
import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  ECSClient,
  ListClustersCommand,
  ListServicesCommand,
} from "@aws-sdk/client-ecs";
import {
  DescribeClusterCommand,
  EKSClient,
  ListClustersCommand as ListEksClustersCommand,
} from "@aws-sdk/client-eks";
import { DescribeCacheClustersCommand, ElastiCacheClient } from "@aws-sdk/client-elasticache";
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  paginateDescribeTargetGroups,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import {
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  paginateDescribeDBInstances,
  RDSClient,
} from "@aws-sdk/client-rds";
import { GetBucketLocationCommand, ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { ListTopicsCommand, SNSClient } from "@aws-sdk/client-sns";
import { GetQueueAttributesCommand, ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator, type WorldInput } from "../../emulator/index.js";
import { send, signedRequest } from "./signed-request.js";

const ACCOUNT = "444444444444";
const ADMIN = {
  accessKeyId: "AKIAINVENTORYADMIN01",
  secretAccessKey: "inventory-admin-secret-00000000000000",
};
const READER = {
  accessKeyId: "AKIAINVENTORYREADER1",
  secretAccessKey: "inventory-reader-secret-0000000000000",
};

// One full application stack in us-east-1, three in eu-west-1 (for pages), and a Classic ELB.
function world(): WorldInput {
  return {
    regions: ["us-east-1", "eu-west-1", "ap-southeast-2"],
    accounts: [
      {
        id: ACCOUNT,
        name: "inventory",
        users: [
          {
            name: "admin",
            accessKeys: [{ id: ADMIN.accessKeyId, secret: ADMIN.secretAccessKey }],
            policies: ["arn:aws:iam::aws:policy/AdministratorAccess"],
          },
          {
            name: "reader",
            accessKeys: [{ id: READER.accessKeyId, secret: READER.secretAccessKey }],
            policies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
          },
        ],
        estate: { "us-east-1": 41, "eu-west-1": 123 },
        resources: {
          "us-east-1": {
            elasticloadbalancing: {
              LoadBalancerDescriptions: [
                {
                  LoadBalancerName: "legacy-web",
                  DNSName: "legacy-web-1234.us-east-1.elb.amazonaws.com",
                  Scheme: "internet-facing",
                  CreatedTime: "2020-01-01T00:00:00Z",
                },
              ],
            },
          },
        },
      },
    ],
  };
}

let emulator: Emulator;
const config = (region = "us-east-1", credentials = READER) => ({
  endpoint: emulator.url,
  region,
  credentials,
});

beforeAll(async () => {
  emulator = await startEmulator({ world: world() });
});
afterAll(async () => {
  await emulator.close();
});

describe("EC2 network and compute describes", () => {
  it("relates instances to subnets to VPCs, route tables to gateways, and security groups to each other", async () => {
    const ec2 = new EC2Client(config());
    const [vpc] = (await ec2.send(new DescribeVpcsCommand({}))).Vpcs ?? [];
    const vpcId = vpc?.VpcId ?? "";
    expect(vpcId).toMatch(/^vpc-[0-9a-f]{17}$/);
    const subnets = (
      await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }))
    ).Subnets;
    expect(subnets).toHaveLength(6);
    const reservations = (await ec2.send(new DescribeInstancesCommand({}))).Reservations ?? [];
    const instances = reservations.flatMap((r) => r.Instances ?? []);
    expect(instances).toHaveLength(3);
    for (const instance of instances) {
      expect(instance.VpcId).toBe(vpcId);
      expect(subnets?.map((s) => s.SubnetId)).toContain(instance.SubnetId);
    }
    const igw = (await ec2.send(new DescribeInternetGatewaysCommand({}))).InternetGateways ?? [];
    expect(igw[0]?.Attachments).toEqual([{ State: "available", VpcId: vpcId }]);
    const nat = (await ec2.send(new DescribeNatGatewaysCommand({}))).NatGateways ?? [];
    expect(nat[0]).toMatchObject({ VpcId: vpcId, State: "available" });
    const tables = (await ec2.send(new DescribeRouteTablesCommand({}))).RouteTables ?? [];
    expect(tables.flatMap((t) => t.Routes ?? []).map((r) => r.GatewayId ?? r.NatGatewayId)).toEqual(
      expect.arrayContaining([igw[0]?.InternetGatewayId, nat[0]?.NatGatewayId, "local"]),
    );
    expect(
      tables
        .flatMap((t) => t.Associations ?? [])
        .map((a) => a.SubnetId)
        .sort(),
    ).toEqual(subnets?.map((s) => s.SubnetId).sort());
    const groups = (await ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups ?? [];
    const byName = new Map(groups.map((g) => [g.GroupName, g]));
    expect(byName.get("app1-app")?.IpPermissions?.[0]?.UserIdGroupPairs?.[0]?.GroupId).toBe(
      byName.get("app1-alb")?.GroupId,
    );
    const volumes = (
      await ec2.send(
        new DescribeVolumesCommand({
          Filters: [{ Name: "attachment.instance-id", Values: [instances[0]?.InstanceId ?? ""] }],
        }),
      )
    ).Volumes;
    expect(volumes).toHaveLength(1);
    expect(volumes?.[0]).toMatchObject({ VolumeType: "gp3", Size: 20, State: "in-use" });
  });

  it("pages subnets with EC2's NextToken and refuses a page size EC2 refuses", async () => {
    const ec2 = new EC2Client(config("eu-west-1"));
    const pages: number[] = [];
    for await (const page of paginateDescribeSubnets({ client: ec2, pageSize: 5 }, {}))
      pages.push(page.Subnets?.length ?? 0);
    expect(pages).toEqual([5, 5, 5, 3]);
    await expect(ec2.send(new DescribeSubnetsCommand({ MaxResults: 2 }))).rejects.toMatchObject({
      name: "InvalidParameterValue",
    });
    await expect(
      ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: ["rtb-00000000000000000"] })),
    ).rejects.toMatchObject({ name: "InvalidRouteTableID.NotFound" });
  });

  it("lists the region's availability zones with AWS's zone ids", async () => {
    const ec2 = new EC2Client(config("ap-southeast-2"));
    const zones = (await ec2.send(new DescribeAvailabilityZonesCommand({}))).AvailabilityZones;
    expect(zones?.map((z) => [z.ZoneName, z.ZoneId, z.State])).toEqual([
      ["ap-southeast-2a", "apse2-az1", "available"],
      ["ap-southeast-2b", "apse2-az2", "available"],
      ["ap-southeast-2c", "apse2-az3", "available"],
    ]);
  });

  it("stops and starts an instance through the SDK, and later describes and target health see it", async () => {
    const ec2 = new EC2Client(config("us-east-1", ADMIN));
    const elb = new ElasticLoadBalancingV2Client(config());
    const instanceId =
      (await ec2.send(new DescribeInstancesCommand({}))).Reservations?.[0]?.Instances?.[0]
        ?.InstanceId ?? "";
    const stopped = await ec2.send(new StopInstancesCommand({ InstanceIds: [instanceId] }));
    expect(stopped.StoppingInstances?.[0]).toMatchObject({
      PreviousState: { Code: 16, Name: "running" },
      CurrentState: { Code: 64, Name: "stopping" },
    });
    const state = async () =>
      (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] })))
        .Reservations?.[0]?.Instances?.[0]?.State;
    expect(await state()).toEqual({ Code: 80, Name: "stopped" });
    const web = (await elb.send(new DescribeTargetGroupsCommand({ Names: ["app1-web"] })))
      .TargetGroups?.[0];
    const health = await elb.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: web?.TargetGroupArn }),
    );
    expect(
      health.TargetHealthDescriptions?.find((d) => d.Target?.Id === instanceId)?.TargetHealth,
    ).toEqual({
      State: "unused",
      Reason: "Target.InvalidState",
      Description: "Target is in the stopped state",
    });
    await ec2.send(new StartInstancesCommand({ InstanceIds: [instanceId] }));
    expect(await state()).toEqual({ Code: 16, Name: "running" });
    // A read-only identity may not stop it.
    await expect(
      new EC2Client(config()).send(new StopInstancesCommand({ InstanceIds: [instanceId] })),
    ).rejects.toMatchObject({ name: "UnauthorizedOperation" });
  });
});

describe("control routes for live status", () => {
  it("stops an instance and raises an alarm without credentials, as an operator in the console would", async () => {
    const ec2 = new EC2Client(config());
    const instanceId =
      (await ec2.send(new DescribeInstancesCommand({}))).Reservations?.[1]?.Instances?.[0]
        ?.InstanceId ?? "";
    const post = (path: string, query: Record<string, string>) =>
      fetch(
        `${emulator.url}${path}?${new URLSearchParams({ account: ACCOUNT, region: "us-east-1", ...query }).toString()}`,
        { method: "POST" },
      );
    expect(
      (await post("/_emulator/ec2/instance-state", { instanceId, state: "stopped" })).status,
    ).toBe(200);
    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    expect(described.Reservations?.[0]?.Instances?.[0]?.State).toEqual({
      Code: 80,
      Name: "stopped",
    });
    expect(
      (await post("/_emulator/ec2/instance-state", { instanceId, state: "running" })).status,
    ).toBe(200);
    const refused = await post("/_emulator/ec2/instance-state", { instanceId, state: "asleep" });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({
      error: "state: expected running, stopped or terminated",
    });
    expect(
      (
        await post("/_emulator/cloudwatch/alarm-state", {
          alarmName: "app1-alb-5xx",
          state: "ALARM",
        })
      ).status,
    ).toBe(200);
    const alarms = await new CloudWatchClient(config()).send(
      new DescribeAlarmsCommand({ AlarmNames: ["app1-alb-5xx"] }),
    );
    expect(alarms.MetricAlarms?.[0]?.StateValue).toBe("ALARM");
    await post("/_emulator/cloudwatch/alarm-state", { alarmName: "app1-alb-5xx", state: "OK" });
  });
});

describe("Elastic Load Balancing", () => {
  it("serves ELBv2 and the Classic API under one signing name, by API version", async () => {
    const v2 = await new ElasticLoadBalancingV2Client(config()).send(
      new DescribeLoadBalancersCommand({}),
    );
    expect(v2.LoadBalancers?.map((lb) => [lb.LoadBalancerName, lb.Type])).toEqual([
      ["app1-alb", "application"],
    ]);
    const classic = await send(
      await signedRequest({
        url: emulator.url,
        service: "elasticloadbalancing",
        region: "us-east-1",
        credentials: READER,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "Action=DescribeLoadBalancers&Version=2012-06-01",
      }),
    );
    const body = await classic.text();
    expect(classic.status).toBe(200);
    expect(body).toContain("<LoadBalancerName>legacy-web</LoadBalancerName>");
    expect(body).toContain("<DescribeLoadBalancersResult><LoadBalancerDescriptions>");
    expect(body).not.toContain("app1-alb");
  });

  it("relates listeners and target groups to their load balancer and lists targets' health", async () => {
    const elb = new ElasticLoadBalancingV2Client(config());
    const lb = (await elb.send(new DescribeLoadBalancersCommand({ Names: ["app1-alb"] })))
      .LoadBalancers?.[0];
    const groups = (
      await elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: lb?.LoadBalancerArn }))
    ).TargetGroups;
    expect(groups?.map((g) => [g.TargetGroupName, g.TargetType])).toEqual([
      ["app1-web", "instance"],
      ["app1-api", "ip"],
    ]);
    const listeners = (
      await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb?.LoadBalancerArn }))
    ).Listeners;
    expect(listeners?.[0]?.DefaultActions?.[0]?.TargetGroupArn).toBe(groups?.[0]?.TargetGroupArn);
    const api = await elb.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: groups?.[1]?.TargetGroupArn }),
    );
    expect(api.TargetHealthDescriptions?.map((d) => d.TargetHealth?.State)).toEqual([
      "healthy",
      "healthy",
    ]);
    await expect(elb.send(new DescribeListenersCommand({}))).rejects.toMatchObject({
      name: "ValidationError",
    });
    await expect(
      elb.send(
        new DescribeTargetHealthCommand({
          TargetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:444444444444:targetgroup/x/0",
        }),
      ),
    ).rejects.toMatchObject({ name: "TargetGroupNotFoundException" });
  });

  it("pages target groups with Marker/NextMarker and PageSize", async () => {
    const elb = new ElasticLoadBalancingV2Client(config("eu-west-1"));
    const pages: string[][] = [];
    for await (const page of paginateDescribeTargetGroups({ client: elb }, { PageSize: 4 }))
      pages.push((page.TargetGroups ?? []).map((g) => g.TargetGroupName ?? ""));
    expect(pages.map((p) => p.length)).toEqual([4, 2]);
    expect(pages.flat()).toEqual([
      "app1-web",
      "app1-api",
      "app2-web",
      "app2-api",
      "app3-web",
      "app3-api",
    ]);
  });
});

describe("compute, containers and functions", () => {
  it("lists Auto Scaling groups with their instances and target groups", async () => {
    const groups = [];
    for await (const page of paginateDescribeAutoScalingGroups(
      { client: new AutoScalingClient(config("eu-west-1")), pageSize: 2 },
      {},
    ))
      groups.push(...(page.AutoScalingGroups ?? []));
    expect(groups.map((g) => g.AutoScalingGroupName)).toEqual(["app1-web", "app2-web", "app3-web"]);
    expect(groups[0]?.Instances).toHaveLength(3);
    expect(groups[0]?.TargetGroupARNs?.[0]).toMatch(/:targetgroup\/app1-web\//);
  });

  it("relates an ECS service to its target group, subnets and security groups", async () => {
    const ecs = new ECSClient(config());
    const clusters = (await ecs.send(new ListClustersCommand({}))).clusterArns ?? [];
    expect(clusters).toEqual([`arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/app1`]);
    expect((await ecs.send(new DescribeClustersCommand({ clusters }))).clusters).toHaveLength(1);
    const services = (await ecs.send(new ListServicesCommand({ cluster: "app1" }))).serviceArns;
    const described = await ecs.send(new DescribeServicesCommand({ cluster: "app1", services }));
    const api = described.services?.find((s) => s.serviceName === "api");
    expect(api?.loadBalancers?.[0]?.targetGroupArn).toMatch(/:targetgroup\/app1-api\//);
    expect(api?.networkConfiguration?.awsvpcConfiguration?.subnets).toHaveLength(3);
  });

  it("lists and describes EKS clusters", async () => {
    const eks = new EKSClient(config());
    expect((await eks.send(new ListEksClustersCommand({}))).clusters).toEqual(["app1-k8s"]);
    const { cluster } = await eks.send(new DescribeClusterCommand({ name: "app1-k8s" }));
    expect(cluster).toMatchObject({ status: "ACTIVE", version: "1.31" });
    expect(cluster?.resourcesVpcConfig?.subnetIds).toHaveLength(3);
    await expect(eks.send(new DescribeClusterCommand({ name: "nope" }))).rejects.toMatchObject({
      name: "ResourceNotFoundException",
      message: "No cluster found for name: nope.",
    });
  });

  it("gives a Lambda function in a VPC its subnets and security groups", async () => {
    const functions = (await new LambdaClient(config()).send(new ListFunctionsCommand({})))
      .Functions;
    expect(functions?.map((f) => [f.FunctionName, f.VpcConfig?.SubnetIds?.length ?? 0])).toEqual([
      ["app1-events", 3],
      ["app1-thumbnails", 0],
    ]);
  });
});

describe("data stores and messaging", () => {
  it("describes RDS clusters and instances, pages instances, and names a missing one as RDS does", async () => {
    const rds = new RDSClient(config("eu-west-1"));
    const clusters = (await rds.send(new DescribeDBClustersCommand({}))).DBClusters ?? [];
    expect(clusters.map((c) => c.DBClusterIdentifier)).toEqual(["app1-db", "app2-db", "app3-db"]);
    expect(clusters[0]?.DBClusterMembers?.map((m) => m.IsClusterWriter)).toEqual([true, false]);
    const pages: number[] = [];
    for await (const page of paginateDescribeDBInstances({ client: rds, pageSize: 20 }, {}))
      pages.push(page.DBInstances?.length ?? 0);
    expect(pages).toEqual([6]);
    const one = await rds.send(
      new DescribeDBInstancesCommand({ Filters: [{ Name: "db-cluster-id", Values: ["app2-db"] }] }),
    );
    expect(one.DBInstances?.map((i) => i.DBInstanceIdentifier)).toEqual(["app2-db-1", "app2-db-2"]);
    await expect(
      rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: "missing" })),
    ).rejects.toMatchObject({
      name: "DBInstanceNotFoundFault",
      message: "DBInstance missing not found.",
    });
    await expect(rds.send(new DescribeDBInstancesCommand({ MaxRecords: 5 }))).rejects.toMatchObject(
      {
        name: "InvalidParameterValue",
      },
    );
  });

  it("lists DynamoDB tables with LastEvaluatedTableName and describes one", async () => {
    const dynamo = new DynamoDBClient(config("eu-west-1"));
    const pages: string[][] = [];
    for await (const page of paginateListTables({ client: dynamo, pageSize: 2 }, {}))
      pages.push(page.TableNames ?? []);
    expect(pages).toEqual([["app1-sessions", "app2-sessions"], ["app3-sessions"]]);
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: "app2-sessions" }));
    expect(Table).toMatchObject({
      TableStatus: "ACTIVE",
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
    });
    await expect(
      dynamo.send(new DescribeTableCommand({ TableName: "nope" })),
    ).rejects.toMatchObject({
      name: "ResourceNotFoundException",
    });
  });

  it("describes ElastiCache clusters, with nodes only when asked", async () => {
    const cache = new ElastiCacheClient(config());
    const plain = (await cache.send(new DescribeCacheClustersCommand({}))).CacheClusters;
    expect(plain?.[0]).toMatchObject({
      CacheClusterId: "app1-cache",
      CacheNodeType: "cache.t3.medium",
    });
    expect(plain?.[0]?.CacheNodes).toBeUndefined();
    const nodes = await cache.send(new DescribeCacheClustersCommand({ ShowCacheNodeInfo: true }));
    expect(nodes.CacheClusters?.[0]?.CacheNodes?.[0]?.Endpoint?.Port).toBe(6379);
  });

  it("lists SQS queues (JSON protocol) with their URLs and attributes, and SNS topics", async () => {
    const sqs = new SQSClient(config());
    const { QueueUrls } = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "app1" }));
    expect(QueueUrls).toEqual([`https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/app1-jobs`]);
    const attributes = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: QueueUrls?.[0], AttributeNames: ["All"] }),
    );
    expect(attributes.Attributes?.QueueArn).toBe(`arn:aws:sqs:us-east-1:${ACCOUNT}:app1-jobs`);
    const topics = await new SNSClient(config()).send(new ListTopicsCommand({}));
    expect(topics.Topics).toEqual([{ TopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:app1-events` }]);
  });

  it("lists buckets and finds each one's region with GetBucketLocation", async () => {
    const s3 = new S3Client(config());
    const names = ((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).map(
      (b) => b.Name ?? "",
    );
    expect(names).toHaveLength(4);
    const eu = names.find((n) => n.endsWith("eu-west-1")) ?? "";
    const us = names.find((n) => n.endsWith("us-east-1")) ?? "";
    expect((await s3.send(new GetBucketLocationCommand({ Bucket: eu }))).LocationConstraint).toBe(
      "eu-west-1",
    );
    expect(
      (await s3.send(new GetBucketLocationCommand({ Bucket: us }))).LocationConstraint,
    ).toBeFalsy();
  });
});

describe("edge, APIs and alarms", () => {
  it("pages CloudFront distributions and points each at its load balancer and bucket", async () => {
    const cloudfront = new CloudFrontClient(config());
    const pages: number[] = [];
    const items = [];
    for await (const page of paginateListDistributions({ client: cloudfront, pageSize: 3 }, {})) {
      pages.push(page.DistributionList?.Quantity ?? 0);
      items.push(...(page.DistributionList?.Items ?? []));
    }
    expect(pages).toEqual([3, 1]);
    const origins = items[0]?.Origins?.Items?.map((o) => o.DomainName) ?? [];
    expect(origins[0]).toMatch(/^app1-alb-\d+\.us-east-1\.elb\.amazonaws\.com$/);
    expect(origins[1]).toMatch(
      /^app1-assets-444444444444-us-east-1\.s3\.us-east-1\.amazonaws\.com$/,
    );
  });

  it("lists REST APIs and HTTP APIs, both signed as apigateway", async () => {
    const rest = await new APIGatewayClient(config()).send(new GetRestApisCommand({}));
    expect(rest.items?.map((a) => a.name)).toEqual(["app1-public"]);
    const http = await new ApiGatewayV2Client(config("eu-west-1")).send(
      new GetApisCommand({ MaxResults: "2" }),
    );
    expect(http.Items?.map((a) => a.Name)).toEqual(["app1-http", "app2-http"]);
    const next = await new ApiGatewayV2Client(config("eu-west-1")).send(
      new GetApisCommand({ MaxResults: "2", NextToken: http.NextToken }),
    );
    expect(next.Items?.map((a) => a.Name)).toEqual(["app3-http"]);
    expect(next.NextToken).toBeUndefined();
  });

  it("describes CloudWatch alarms (JSON protocol) and reports a state SetAlarmState raised", async () => {
    const cloudwatch = new CloudWatchClient(config());
    const all = await cloudwatch.send(new DescribeAlarmsCommand({}));
    expect(all.MetricAlarms?.map((a) => [a.AlarmName, a.StateValue])).toEqual([
      ["app1-alb-5xx", "OK"],
      ["app1-db-cpu", "OK"],
    ]);
    await new CloudWatchClient(config("us-east-1", ADMIN)).send(
      new SetAlarmStateCommand({
        AlarmName: "app1-db-cpu",
        StateValue: "ALARM",
        StateReason: "test",
      }),
    );
    const alarming = await cloudwatch.send(new DescribeAlarmsCommand({ StateValue: "ALARM" }));
    expect(alarming.MetricAlarms?.map((a) => a.AlarmName)).toEqual(["app1-db-cpu"]);
  });
});
