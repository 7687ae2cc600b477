import { createHash } from "node:crypto";
import { DEFAULT_REGIONS } from "../world/default-regions.js";
import type { WorldInput } from "../world/world-schema.js";

/** The resources of one account, per region ("global" for S3 and CloudFront), as world data. */
export type GeneratedResources = Record<string, Record<string, Record<string, unknown[]>>>;

type Item = Record<string, unknown>;

/** The inventory resource types the generator counts (listeners and alarms come with them). */
export const ESTATE_RESOURCE_TYPES = [
  "vpc",
  "subnet",
  "internet-gateway",
  "route-table",
  "nat-gateway",
  "security-group",
  "load-balancer",
  "target-group",
  "auto-scaling-group",
  "instance",
  "volume",
  "ecs-cluster",
  "ecs-service",
  "lambda-function",
  "rds-cluster",
  "rds-instance",
  "elasticache-cluster",
  "dynamodb-table",
  "sqs-queue",
  "sns-topic",
  "rest-api",
  "http-api",
  "eks-cluster",
  "s3-bucket",
  "cloudfront-distribution",
] as const;

const CREATED = "2026-01-15T10:00:00Z";

function hex(seed: string, length: number): string {
  let out = "";
  for (let round = 0; out.length < length; round++)
    out += createHash("sha1").update(`${round}|${seed}`).digest("hex");
  return out.slice(0, length);
}

function alnum(seed: string, length: number, upper = false): string {
  const alphabet = upper
    ? "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    : "abcdefghijklmnopqrstuvwxyz0123456789";
  const digest = createHash("sha256").update(seed).digest();
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[(digest[i] ?? 0) % alphabet.length];
  return out;
}

const name = (value: string) => [{ Key: "Name", Value: value }];

/**
 * Adds one region's resources to `into`: application stacks (a VPC with public and private
 * subnets in three zones, its gateways and route tables, security groups that reference one
 * another, an ALB with a listener and target groups, an Auto Scaling group of instances with
 * their volumes, an ECS cluster whose service sits behind the ALB, Lambda functions (one in the
 * VPC), an Aurora cluster, ElastiCache, DynamoDB, SQS, SNS, REST and HTTP APIs, an EKS cluster,
 * and, globally, a bucket and a CloudFront distribution in front of the ALB and the bucket).
 * Exactly `count` resources of ESTATE_RESOURCE_TYPES are emitted, in dependency order, so a
 * partial stack never references what it has not created. Deterministic for the same input.
 */
export function addRegionEstate(
  into: GeneratedResources,
  options: {
    accountId: string;
    region: string;
    count: number;
    seed?: string;
    /** EC2 instances (each with its volume) per stack, 0..3; default 3. With 0, no Auto Scaling group. */
    instancesPerStack?: number | undefined;
    /** Whether stacks get an S3 bucket (and CloudFront an S3 origin); default true. */
    buckets?: boolean | undefined;
  },
): void {
  const perStack = Math.max(0, Math.min(3, options.instancesPerStack ?? 3));
  const withBuckets = options.buckets ?? true;
  const { accountId: account, region } = options;
  const seed = `${options.seed ?? "estate"}|${account}|${region}`;
  let left = options.count;
  const push = (scope: string, service: string, collection: string, item: Item): boolean => {
    if (left <= 0) return false;
    left--;
    const services = (into[scope] ??= {});
    const collections = (services[service] ??= {});
    (collections[collection] ??= []).push(item);
    return true;
  };
  const extra = (scope: string, service: string, collection: string, item: Item): void => {
    const services = (into[scope] ??= {});
    const collections = (services[service] ??= {});
    (collections[collection] ??= []).push(item);
  };
  const zones = ["a", "b", "c"].map((z) => `${region}${z}`);
  const arn = (service: string, resource: string) =>
    `arn:aws:${service}:${region}:${account}:${resource}`;

  for (let s = 0; left > 0; s++) {
    const id = (kind: string, n = 0) => hex(`${seed}|${s}|${kind}|${n}`, 17);
    const app = `app${s + 1}`;
    const octet = s % 250;
    const vpcId = `vpc-${id("vpc")}`;
    const cidr = `10.${octet}.0.0/16`;
    const own = { OwnerId: account };
    if (
      !push(region, "ec2", "Vpcs", {
        VpcId: vpcId,
        CidrBlock: cidr,
        State: "available",
        IsDefault: false,
        InstanceTenancy: "default",
        ...own,
        Tags: name(`${app}-vpc`),
      })
    )
      return;

    const publicSubnets: string[] = [];
    const privateSubnets: string[] = [];
    for (const [tier, list, base] of [
      ["public", publicSubnets, 0],
      ["private", privateSubnets, 10],
    ] as const)
      for (const [i, zone] of zones.entries()) {
        const subnetId = `subnet-${id(`subnet-${tier}`, i)}`;
        if (
          !push(region, "ec2", "Subnets", {
            SubnetId: subnetId,
            SubnetArn: arn("ec2", `subnet/${subnetId}`),
            VpcId: vpcId,
            CidrBlock: `10.${octet}.${base + i}.0/24`,
            AvailabilityZone: zone,
            AvailableIpAddressCount: 250 - i,
            State: "available",
            MapPublicIpOnLaunch: tier === "public",
            DefaultForAz: false,
            ...own,
            Tags: name(`${app}-${tier}-${zone.slice(-1)}`),
          })
        )
          return;
        list.push(subnetId);
      }

    const igwId = `igw-${id("igw")}`;
    if (
      !push(region, "ec2", "InternetGateways", {
        InternetGatewayId: igwId,
        Attachments: [{ State: "available", VpcId: vpcId }],
        ...own,
        Tags: name(`${app}-igw`),
      })
    )
      return;
    const local = {
      DestinationCidrBlock: cidr,
      GatewayId: "local",
      State: "active",
      Origin: "CreateRouteTable",
    };
    const associations = (tableId: string, subnets: string[]) =>
      subnets.map((subnetId, i) => ({
        Main: false,
        RouteTableAssociationId: `rtbassoc-${id(`assoc-${tableId}`, i)}`,
        RouteTableId: tableId,
        SubnetId: subnetId,
        AssociationState: { State: "associated" },
      }));
    const publicTable = `rtb-${id("rtb-public")}`;
    if (
      !push(region, "ec2", "RouteTables", {
        RouteTableId: publicTable,
        VpcId: vpcId,
        ...own,
        Routes: [
          local,
          {
            DestinationCidrBlock: "0.0.0.0/0",
            GatewayId: igwId,
            State: "active",
            Origin: "CreateRoute",
          },
        ],
        Associations: associations(publicTable, publicSubnets),
        PropagatingVgws: [],
        Tags: name(`${app}-public`),
      })
    )
      return;
    const natId = `nat-${id("nat")}`;
    if (
      !push(region, "ec2", "NatGateways", {
        NatGatewayId: natId,
        SubnetId: publicSubnets[0],
        VpcId: vpcId,
        State: "available",
        ConnectivityType: "public",
        CreateTime: CREATED,
        NatGatewayAddresses: [
          {
            AllocationId: `eipalloc-${id("eip")}`,
            NetworkInterfaceId: `eni-${id("nat-eni")}`,
            PrivateIp: `10.${octet}.0.5`,
            PublicIp: `198.51.100.${(s % 200) + 1}`,
            IsPrimary: true,
            Status: "succeeded",
          },
        ],
        Tags: name(`${app}-nat`),
      })
    )
      return;
    const privateTable = `rtb-${id("rtb-private")}`;
    if (
      !push(region, "ec2", "RouteTables", {
        RouteTableId: privateTable,
        VpcId: vpcId,
        ...own,
        Routes: [
          local,
          {
            DestinationCidrBlock: "0.0.0.0/0",
            NatGatewayId: natId,
            State: "active",
            Origin: "CreateRoute",
          },
        ],
        Associations: associations(privateTable, privateSubnets),
        PropagatingVgws: [],
        Tags: name(`${app}-private`),
      })
    )
      return;

    const egress = [
      {
        IpProtocol: "-1",
        IpRanges: [{ CidrIp: "0.0.0.0/0" }],
        Ipv6Ranges: [],
        PrefixListIds: [],
        UserIdGroupPairs: [],
      },
    ];
    const sg = (kind: string) => `sg-${id(`sg-${kind}`)}`;
    const [albSg, appSg, dbSg] = [sg("alb"), sg("app"), sg("db")];
    const fromGroup = (port: number, groupId: string) => [
      {
        IpProtocol: "tcp",
        FromPort: port,
        ToPort: port,
        IpRanges: [],
        UserIdGroupPairs: [{ GroupId: groupId, UserId: account }],
      },
    ];
    for (const group of [
      {
        GroupId: albSg,
        GroupName: `${app}-alb`,
        Description: "Load balancer",
        IpPermissions: [
          { IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
        ],
      },
      {
        GroupId: appSg,
        GroupName: `${app}-app`,
        Description: "Application tier",
        IpPermissions: fromGroup(8080, albSg),
      },
      {
        GroupId: dbSg,
        GroupName: `${app}-db`,
        Description: "Data tier",
        IpPermissions: [...fromGroup(5432, appSg), ...fromGroup(6379, appSg)],
      },
    ])
      if (
        !push(region, "ec2", "SecurityGroups", {
          ...group,
          VpcId: vpcId,
          ...own,
          IpPermissionsEgress: egress,
          Tags: name(group.GroupName),
        })
      )
        return;

    const albName = `${app}-alb`;
    const albArn = arn(
      "elasticloadbalancing",
      `loadbalancer/app/${albName}/${id("alb").slice(0, 16)}`,
    );
    const albDns = `${albName}-${parseInt(id("alb-dns").slice(0, 8), 16) % 1_000_000_000}.${region}.elb.amazonaws.com`;
    if (
      !push(region, "elasticloadbalancingv2", "LoadBalancers", {
        LoadBalancerArn: albArn,
        DNSName: albDns,
        CanonicalHostedZoneId: "Z35SXDOTRQ7X7K",
        CreatedTime: CREATED,
        LoadBalancerName: albName,
        Scheme: "internet-facing",
        VpcId: vpcId,
        State: { Code: "active" },
        Type: "application",
        AvailabilityZones: publicSubnets.map((subnetId, i) => ({
          ZoneName: zones[i],
          SubnetId: subnetId,
        })),
        SecurityGroups: [albSg],
        IpAddressType: "ipv4",
      })
    )
      return;
    const webTg = arn(
      "elasticloadbalancing",
      `targetgroup/${app}-web/${id("tg-web").slice(0, 16)}`,
    );
    extra(region, "elasticloadbalancingv2", "Listeners", {
      ListenerArn: arn(
        "elasticloadbalancing",
        `listener/app/${albName}/${albArn.slice(-16)}/${id("listener").slice(0, 16)}`,
      ),
      LoadBalancerArn: albArn,
      Port: 443,
      Protocol: "HTTPS",
      SslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
      Certificates: [{ CertificateArn: arn("acm", `certificate/${id("cert")}`) }],
      DefaultActions: [{ Type: "forward", TargetGroupArn: webTg, Order: 1 }],
    });
    extra(region, "monitoring", "MetricAlarms", {
      AlarmName: `${albName}-5xx`,
      AlarmArn: arn("cloudwatch", `alarm:${albName}-5xx`),
      ActionsEnabled: true,
      StateValue: "OK",
      StateReason: "Threshold Crossed: no datapoints were breaching",
      StateUpdatedTimestamp: CREATED,
      MetricName: "HTTPCode_Target_5XX_Count",
      Namespace: "AWS/ApplicationELB",
      Statistic: "Sum",
      Dimensions: [{ Name: "LoadBalancer", Value: albArn.split(":loadbalancer/")[1] }],
      Period: 60,
      EvaluationPeriods: 5,
      Threshold: 10,
      ComparisonOperator: "GreaterThanThreshold",
    });
    const webTargets: Item[] = [];
    const targetGroup = (
      tgArn: string,
      tgName: string,
      type: string,
      port: number,
      targets: Item[],
    ): Item => ({
      TargetGroupArn: tgArn,
      TargetGroupName: tgName,
      Protocol: "HTTP",
      Port: port,
      VpcId: vpcId,
      HealthCheckProtocol: "HTTP",
      HealthCheckPort: "traffic-port",
      HealthCheckEnabled: true,
      HealthCheckIntervalSeconds: 30,
      HealthCheckTimeoutSeconds: 5,
      HealthyThresholdCount: 5,
      UnhealthyThresholdCount: 2,
      HealthCheckPath: "/health",
      Matcher: { HttpCode: "200" },
      LoadBalancerArns: [albArn],
      TargetType: type,
      ProtocolVersion: "HTTP1",
      IpAddressType: "ipv4",
      Targets: targets,
    });
    if (
      !push(
        region,
        "elasticloadbalancingv2",
        "TargetGroups",
        targetGroup(webTg, `${app}-web`, "instance", 8080, webTargets),
      )
    )
      return;

    const asgName = `${app}-web`;
    const asgInstances: Item[] = [];
    if (
      perStack > 0 &&
      !push(region, "autoscaling", "AutoScalingGroups", {
        AutoScalingGroupName: asgName,
        AutoScalingGroupARN: arn(
          "autoscaling",
          `autoScalingGroup:${id("asg").slice(0, 8)}-${id("asg").slice(8, 12)}-4${id("asg").slice(12, 15)}-a${id("asg").slice(15, 17)}0-${id("asg2").slice(0, 12)}:autoScalingGroupName/${asgName}`,
        ),
        LaunchTemplate: {
          LaunchTemplateId: `lt-${id("lt")}`,
          LaunchTemplateName: `${app}-web`,
          Version: "$Latest",
        },
        MinSize: 2,
        MaxSize: 6,
        DesiredCapacity: 3,
        DefaultCooldown: 300,
        AvailabilityZones: zones,
        LoadBalancerNames: [],
        TargetGroupARNs: [webTg],
        HealthCheckType: "ELB",
        HealthCheckGracePeriod: 300,
        Instances: asgInstances,
        CreatedTime: CREATED,
        SuspendedProcesses: [],
        VPCZoneIdentifier: privateSubnets.join(","),
        EnabledMetrics: [],
        Tags: [
          {
            ResourceId: asgName,
            ResourceType: "auto-scaling-group",
            Key: "Name",
            Value: asgName,
            PropagateAtLaunch: true,
          },
        ],
        TerminationPolicies: ["Default"],
        NewInstancesProtectedFromScaleIn: false,
        ServiceLinkedRoleARN: `arn:aws:iam::${account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
      })
    )
      return;
    for (let i = 0; i < perStack; i++) {
      const instanceId = `i-${id("instance", i)}`;
      const volumeId = `vol-${id("volume", i)}`;
      const zone = zones[i] ?? "";
      const ip = `10.${octet}.${10 + i}.${20 + i}`;
      const type = i === 2 ? "m6i.large" : "t3.medium";
      if (
        !push(region, "ec2", "Instances", {
          InstanceId: instanceId,
          ImageId: `ami-${id("ami").slice(0, 17)}`,
          InstanceType: type,
          KeyName: `${app}-key`,
          LaunchTime: CREATED,
          State: { Code: 16, Name: "running" },
          SubnetId: privateSubnets[i],
          VpcId: vpcId,
          PrivateIpAddress: ip,
          PrivateDnsName: `ip-${ip.replace(/\./g, "-")}.${region}.compute.internal`,
          Placement: { AvailabilityZone: zone, Tenancy: "default" },
          Architecture: "x86_64",
          RootDeviceType: "ebs",
          RootDeviceName: "/dev/xvda",
          BlockDeviceMappings: [
            {
              DeviceName: "/dev/xvda",
              Ebs: {
                VolumeId: volumeId,
                Status: "attached",
                AttachTime: CREATED,
                DeleteOnTermination: true,
              },
            },
          ],
          SecurityGroups: [{ GroupId: appSg, GroupName: `${app}-app` }],
          Monitoring: { State: "disabled" },
          Tags: [
            ...name(`${app}-web-${i + 1}`),
            { Key: "aws:autoscaling:groupName", Value: asgName },
          ],
        })
      )
        return;
      asgInstances.push({
        InstanceId: instanceId,
        InstanceType: type,
        AvailabilityZone: zone,
        LifecycleState: "InService",
        HealthStatus: "Healthy",
        ProtectedFromScaleIn: false,
        LaunchTemplate: {
          LaunchTemplateId: `lt-${id("lt")}`,
          LaunchTemplateName: `${app}-web`,
          Version: "1",
        },
      });
      webTargets.push({ Id: instanceId, Port: 8080, HealthState: "healthy" });
      if (
        !push(region, "ec2", "Volumes", {
          VolumeId: volumeId,
          Size: 20,
          VolumeType: "gp3",
          Iops: 3000,
          Throughput: 125,
          State: "in-use",
          AvailabilityZone: zone,
          CreateTime: CREATED,
          Encrypted: true,
          MultiAttachEnabled: false,
          Attachments: [
            {
              VolumeId: volumeId,
              InstanceId: instanceId,
              Device: "/dev/xvda",
              State: "attached",
              AttachTime: CREATED,
              DeleteOnTermination: true,
            },
          ],
          Tags: name(`${app}-web-${i + 1}-root`),
        })
      )
        return;
    }

    const clusterName = `${app}`;
    const clusterArn = arn("ecs", `cluster/${clusterName}`);
    if (
      !push(region, "ecs", "clusters", {
        clusterArn,
        clusterName,
        status: "ACTIVE",
        runningTasksCount: 3,
        pendingTasksCount: 0,
        activeServicesCount: 2,
        registeredContainerInstancesCount: 0,
        capacityProviders: ["FARGATE"],
      })
    )
      return;
    const apiTg = arn(
      "elasticloadbalancing",
      `targetgroup/${app}-api/${id("tg-api").slice(0, 16)}`,
    );
    const apiTargets = [0, 1].map((i) => ({
      Id: `10.${octet}.${10 + i}.${100 + i}`,
      Port: 8080,
      AvailabilityZone: zones[i],
      HealthState: "healthy",
    }));
    if (
      !push(
        region,
        "elasticloadbalancingv2",
        "TargetGroups",
        targetGroup(apiTg, `${app}-api`, "ip", 8080, apiTargets),
      )
    )
      return;
    const awsvpc = {
      awsvpcConfiguration: {
        subnets: privateSubnets,
        securityGroups: [appSg],
        assignPublicIp: "DISABLED",
      },
    };
    for (const [service, lb] of [
      ["api", true],
      ["worker", false],
    ] as const)
      if (
        !push(region, "ecs", "services", {
          serviceArn: arn("ecs", `service/${clusterName}/${service}`),
          serviceName: service,
          clusterArn,
          ...(lb
            ? {
                loadBalancers: [
                  { targetGroupArn: apiTg, containerName: service, containerPort: 8080 },
                ],
              }
            : { loadBalancers: [] }),
          status: "ACTIVE",
          desiredCount: lb ? 2 : 1,
          runningCount: lb ? 2 : 1,
          pendingCount: 0,
          launchType: "FARGATE",
          platformVersion: "LATEST",
          taskDefinition: arn("ecs", `task-definition/${app}-${service}:7`),
          networkConfiguration: awsvpc,
          createdAt: CREATED,
          schedulingStrategy: "REPLICA",
        })
      )
        return;

    for (const [fn, inVpc] of [
      [`${app}-events`, true],
      [`${app}-thumbnails`, false],
    ] as const)
      if (
        !push(region, "lambda", "Functions", {
          FunctionName: fn,
          FunctionArn: arn("lambda", `function:${fn}`),
          Runtime: "nodejs22.x",
          Role: `arn:aws:iam::${account}:role/${fn}`,
          Handler: "index.handler",
          CodeSize: 10240,
          MemorySize: inVpc ? 512 : 1024,
          Timeout: 30,
          LastModified: "2026-01-15T10:00:00.000+0000",
          State: "Active",
          PackageType: "Zip",
          Architectures: ["arm64"],
          ...(inVpc
            ? { VpcConfig: { SubnetIds: privateSubnets, SecurityGroupIds: [appSg], VpcId: vpcId } }
            : {}),
        })
      )
        return;

    const dbCluster = `${app}-db`;
    const subnetGroup = {
      DBSubnetGroupName: `${app}-db`,
      DBSubnetGroupDescription: "Private subnets",
      VpcId: vpcId,
      SubnetGroupStatus: "Complete",
      Subnets: privateSubnets.map((subnetId, i) => ({
        SubnetIdentifier: subnetId,
        SubnetAvailabilityZone: { Name: zones[i] },
        SubnetStatus: "Active",
      })),
    };
    const dbHost = `c${id("rds-host").slice(0, 11)}`;
    const members = [0, 1].map((i) => `${dbCluster}-${i + 1}`);
    if (
      !push(region, "rds", "DBClusters", {
        DBClusterIdentifier: dbCluster,
        DBClusterArn: arn("rds", `cluster:${dbCluster}`),
        Engine: "aurora-postgresql",
        EngineVersion: "16.4",
        EngineMode: "provisioned",
        Status: "available",
        Endpoint: `${dbCluster}.cluster-${dbHost}.${region}.rds.amazonaws.com`,
        ReaderEndpoint: `${dbCluster}.cluster-ro-${dbHost}.${region}.rds.amazonaws.com`,
        Port: 5432,
        MasterUsername: "app",
        MultiAZ: true,
        AvailabilityZones: zones,
        DBSubnetGroup: subnetGroup.DBSubnetGroupName,
        VpcSecurityGroups: [{ VpcSecurityGroupId: dbSg, Status: "active" }],
        DBClusterMembers: members.map((m, i) => ({
          DBInstanceIdentifier: m,
          IsClusterWriter: i === 0,
          DBClusterParameterGroupStatus: "in-sync",
          PromotionTier: 1,
        })),
        StorageEncrypted: true,
        DbClusterResourceId: `cluster-${alnum(`${seed}|${s}|cluster`, 26, true)}`,
        ClusterCreateTime: CREATED,
        DeletionProtection: true,
      })
    )
      return;
    extra(region, "monitoring", "MetricAlarms", {
      AlarmName: `${dbCluster}-cpu`,
      AlarmArn: arn("cloudwatch", `alarm:${dbCluster}-cpu`),
      ActionsEnabled: true,
      StateValue: "OK",
      StateReason: "Threshold Crossed: no datapoints were breaching",
      StateUpdatedTimestamp: CREATED,
      MetricName: "CPUUtilization",
      Namespace: "AWS/RDS",
      Statistic: "Average",
      Dimensions: [{ Name: "DBClusterIdentifier", Value: dbCluster }],
      Period: 300,
      EvaluationPeriods: 3,
      Threshold: 80,
      ComparisonOperator: "GreaterThanThreshold",
    });
    for (const [i, member] of members.entries())
      if (
        !push(region, "rds", "DBInstances", {
          DBInstanceIdentifier: member,
          DBInstanceArn: arn("rds", `db:${member}`),
          DBInstanceClass: "db.r6g.large",
          Engine: "aurora-postgresql",
          EngineVersion: "16.4",
          DBInstanceStatus: "available",
          Endpoint: {
            Address: `${member}.${dbHost}.${region}.rds.amazonaws.com`,
            Port: 5432,
            HostedZoneId: "Z2R2ITUGPM61AM",
          },
          DBClusterIdentifier: dbCluster,
          AvailabilityZone: zones[i],
          MultiAZ: false,
          DBSubnetGroup: subnetGroup,
          VpcSecurityGroups: [{ VpcSecurityGroupId: dbSg, Status: "active" }],
          InstanceCreateTime: CREATED,
          DbiResourceId: `db-${alnum(`${seed}|${s}|db|${i}`, 26, true)}`,
          StorageType: "aurora",
          AllocatedStorage: 1,
          PubliclyAccessible: false,
          StorageEncrypted: true,
        })
      )
        return;

    const cacheId = `${app}-cache`;
    if (
      !push(region, "elasticache", "CacheClusters", {
        CacheClusterId: cacheId,
        ARN: arn("elasticache", `cluster:${cacheId}`),
        CacheNodeType: "cache.t3.medium",
        Engine: "redis",
        EngineVersion: "7.1",
        CacheClusterStatus: "available",
        NumCacheNodes: 1,
        PreferredAvailabilityZone: zones[0],
        CacheClusterCreateTime: CREATED,
        CacheSubnetGroupName: `${app}-cache`,
        SecurityGroups: [{ SecurityGroupId: dbSg, Status: "active" }],
        CacheNodes: [
          {
            CacheNodeId: "0001",
            CacheNodeStatus: "available",
            CacheNodeCreateTime: CREATED,
            Endpoint: {
              Address: `${cacheId}.${id("cache").slice(0, 6)}.0001.${region.replace(/-/g, "")}.cache.amazonaws.com`,
              Port: 6379,
            },
            ParameterGroupStatus: "in-sync",
            CustomerAvailabilityZone: zones[0],
          },
        ],
      })
    )
      return;
    const table = `${app}-sessions`;
    if (
      !push(region, "dynamodb", "Tables", {
        TableName: table,
        TableArn: arn("dynamodb", `table/${table}`),
        TableId: `${id("table").slice(0, 8)}-${id("table").slice(8, 12)}-4${id("table").slice(12, 15)}-8${id("table2").slice(0, 3)}-${id("table2").slice(3, 15)}`,
        TableStatus: "ACTIVE",
        CreationDateTime: CREATED,
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        ItemCount: 1200 + s,
        TableSizeBytes: 480000,
        BillingModeSummary: { BillingMode: "PAY_PER_REQUEST" },
        ProvisionedThroughput: {
          NumberOfDecreasesToday: 0,
          ReadCapacityUnits: 0,
          WriteCapacityUnits: 0,
        },
        DeletionProtectionEnabled: true,
      })
    )
      return;
    if (
      !push(region, "sqs", "Queues", {
        QueueName: `${app}-jobs`,
        Attributes: {
          ApproximateNumberOfMessages: String(s % 7),
          VisibilityTimeout: "30",
          CreatedTimestamp: "1768471200",
        },
      })
    )
      return;
    if (!push(region, "sns", "Topics", { TopicArn: arn("sns", `${app}-events`) })) return;
    if (
      !push(region, "apigateway", "RestApis", {
        id: alnum(`${seed}|${s}|rest`, 10),
        name: `${app}-public`,
        createdDate: CREATED,
        apiKeySource: "HEADER",
        endpointConfiguration: { types: ["REGIONAL"] },
        disableExecuteApiEndpoint: false,
      })
    )
      return;
    const httpApi = alnum(`${seed}|${s}|http`, 10);
    if (
      !push(region, "apigatewayv2", "Apis", {
        ApiId: httpApi,
        Name: `${app}-http`,
        ProtocolType: "HTTP",
        ApiEndpoint: `https://${httpApi}.execute-api.${region}.amazonaws.com`,
        CreatedDate: CREATED,
        RouteSelectionExpression: "$request.method $request.path",
        ApiKeySelectionExpression: "$request.header.x-api-key",
        DisableExecuteApiEndpoint: false,
      })
    )
      return;
    const eksName = `${app}-k8s`;
    if (
      !push(region, "eks", "clusters", {
        name: eksName,
        arn: arn("eks", `cluster/${eksName}`),
        createdAt: CREATED,
        version: "1.31",
        endpoint: `https://${id("eks").toUpperCase().slice(0, 16)}.gr7.${region}.eks.amazonaws.com`,
        roleArn: `arn:aws:iam::${account}:role/${eksName}`,
        resourcesVpcConfig: {
          subnetIds: privateSubnets,
          securityGroupIds: [appSg],

          vpcId: vpcId,
          endpointPublicAccess: false,
          endpointPrivateAccess: true,
        },
        kubernetesNetworkConfig: { serviceIpv4Cidr: "172.20.0.0/16", ipFamily: "ipv4" },
        status: "ACTIVE",
        platformVersion: "eks.12",
        tags: {},
      })
    )
      return;
    const bucket = `${app}-assets-${account}-${region}`;
    if (
      withBuckets &&
      !push("global", "s3", "Buckets", {
        Name: bucket,
        CreationDate: CREATED,
        BucketRegion: region,
      })
    )
      return;
    const assetsOrigin = {
      Id: "assets",
      DomainName: `${bucket}.s3.${region}.amazonaws.com`,
      OriginPath: "",
      CustomHeaders: { Quantity: 0 },
      S3OriginConfig: { OriginAccessIdentity: "" },
      ConnectionAttempts: 3,
      ConnectionTimeout: 10,
    };
    const distributionId = `E${alnum(`${seed}|${s}|cf`, 13, true)}`;
    push("global", "cloudfront", "Distributions", {
      Id: distributionId,
      ARN: `arn:aws:cloudfront::${account}:distribution/${distributionId}`,
      Status: "Deployed",
      LastModifiedTime: CREATED,
      DomainName: `d${alnum(`${seed}|${s}|cfd`, 13)}.cloudfront.net`,
      Aliases: { Quantity: 0 },
      Origins: {
        Quantity: withBuckets ? 2 : 1,
        Items: [
          {
            Id: "alb",
            DomainName: albDns,
            OriginPath: "",
            CustomHeaders: { Quantity: 0 },
            CustomOriginConfig: {
              HTTPPort: 80,
              HTTPSPort: 443,
              OriginProtocolPolicy: "https-only",
            },
            ConnectionAttempts: 3,
            ConnectionTimeout: 10,
          },
          ...(withBuckets ? [assetsOrigin] : []),
        ],
      },
      DefaultCacheBehavior: {
        TargetOriginId: "alb",
        ViewerProtocolPolicy: "redirect-to-https",
        Compress: true,
      },
      CacheBehaviors: { Quantity: 0 },
      CustomErrorResponses: { Quantity: 0 },
      Comment: `${app} in ${region}`,
      PriceClass: "PriceClass_100",
      Enabled: true,
      ViewerCertificate: { CloudFrontDefaultCertificate: true },
      Restrictions: { GeoRestriction: { RestrictionType: "none", Quantity: 0 } },
      WebACLId: "",
      HttpVersion: "http2",
      IsIPV6Enabled: true,
      Staging: false,
    });
  }
}

export type EstateOptions = {
  /** How many accounts (ids 100000000001, …), or their ids. The first is the management account. */
  accounts: number | readonly string[];
  /** The regions of the world; default AWS's 17 default-enabled regions. */
  regions?: readonly string[];
  /** Resources per (account, region). */
  perRegion?: number;
  /** Or a total spread evenly over every (account, region), the first ones taking the rest. */
  total?: number;
  seed?: string;
};

/** The access key of the management account's read-only user in a generated estate. */
export const ESTATE_KEYS = {
  accessKeyId: "AKIAESTATEREADER0001",
  secretAccessKey: "estate-reader-secret-0000000000000000",
} as const;
/** The ExternalId every generated member role trusts. */
export const ESTATE_EXTERNAL_ID = "sb-estate-external-id";
/** The role every generated account has, trusted by the management account. */
export const ESTATE_ROLE = "switchboard-read";

/**
 * A whole synthetic world: accounts × regions of generated resources (addRegionEstate), with a
 * read-only user in the first account (ESTATE_KEYS) allowed to assume `switchboard-read` in every
 * account with ESTATE_EXTERNAL_ID. Deterministic for the same options.
 */
export function generateEstate(options: EstateOptions): WorldInput {
  const ids =
    typeof options.accounts === "number"
      ? Array.from({ length: options.accounts }, (_, i) => String(100000000001 + i))
      : [...options.accounts];
  const regions = [...(options.regions ?? DEFAULT_REGIONS)];
  const pairs = ids.length * regions.length;
  const countFor = (index: number): number => {
    if (options.total !== undefined) {
      const base = Math.floor(options.total / pairs);
      return base + (index < options.total % pairs ? 1 : 0);
    }
    return options.perRegion ?? 0;
  };
  const management = ids[0] ?? "100000000001";
  return {
    regions,
    accounts: ids.map((id, a) => {
      const resources: GeneratedResources = {};
      regions.forEach((region, r) =>
        addRegionEstate(resources, {
          accountId: id,
          region,
          count: countFor(a * regions.length + r),
          ...(options.seed !== undefined ? { seed: options.seed } : {}),
        }),
      );
      return {
        id,
        name: a === 0 ? "management" : `member-${a}`,
        users:
          a === 0
            ? [
                {
                  name: "switchboard",
                  accessKeys: [
                    { id: ESTATE_KEYS.accessKeyId, secret: ESTATE_KEYS.secretAccessKey },
                  ],
                  policies: [
                    "arn:aws:iam::aws:policy/ReadOnlyAccess",
                    {
                      Version: "2012-10-17",
                      Statement: [
                        {
                          Effect: "Allow",
                          Action: "sts:AssumeRole",
                          Resource: `arn:aws:iam::*:role/${ESTATE_ROLE}`,
                        },
                      ],
                    },
                  ],
                },
              ]
            : [],
        roles: [
          {
            name: ESTATE_ROLE,
            trust: {
              Version: "2012-10-17",
              Statement: [
                {
                  Effect: "Allow",
                  Principal: { AWS: `arn:aws:iam::${management}:root` },
                  Action: "sts:AssumeRole",
                  Condition: { StringEquals: { "sts:ExternalId": ESTATE_EXTERNAL_ID } },
                },
              ],
            },
            policies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
          },
        ],
        resources,
      };
    }),
  };
}

/** How many ESTATE_RESOURCE_TYPES resources generated world data holds (listeners, alarms excluded). */
export function countEstateResources(resources: GeneratedResources): number {
  const counted: Record<string, string[]> = {
    ec2: [
      "Vpcs",
      "Subnets",
      "InternetGateways",
      "RouteTables",
      "NatGateways",
      "SecurityGroups",
      "Instances",
      "Volumes",
    ],
    elasticloadbalancingv2: ["LoadBalancers", "TargetGroups"],
    autoscaling: ["AutoScalingGroups"],
    ecs: ["clusters", "services"],
    lambda: ["Functions"],
    rds: ["DBClusters", "DBInstances"],
    elasticache: ["CacheClusters"],
    dynamodb: ["Tables"],
    sqs: ["Queues"],
    sns: ["Topics"],
    apigateway: ["RestApis"],
    apigatewayv2: ["Apis"],
    eks: ["clusters"],
    s3: ["Buckets"],
    cloudfront: ["Distributions"],
  };
  let total = 0;
  for (const services of Object.values(resources))
    for (const [service, collections] of Object.entries(services))
      for (const name of counted[service] ?? []) total += collections[name]?.length ?? 0;
  return total;
}
