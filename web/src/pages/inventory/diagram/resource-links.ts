/** The resource of the graph route, as the diagram draws it (the same shape as graph.ts's). */
export interface PanelResource {
  arn: string;
  type: string;
  accountId: string;
  region: string;
  connection: string;
}

/** The parts of an ARN: `arn:partition:service:region:account:resource`. */
export function arnParts(arn: string): {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
} {
  const [, partition = "aws", service = "", region = "", account = "", ...rest] = arn.split(":");
  return { partition, service, region, account, resource: rest.join(":") };
}

/** The resource's own id or name, as AWS's APIs take it (i-0abc…, vpc-…, a function's name). */
export function resourceIdOf(arn: string, type: string): string {
  const { resource } = arnParts(arn);
  // ECS services: service/CLUSTER/NAME.
  if (type === "ecs.service") return resource.split("/").at(-1) ?? resource;
  const afterSlash = resource.slice(resource.lastIndexOf("/") + 1);
  return afterSlash.slice(afterSlash.lastIndexOf(":") + 1);
}

function consoleHost(partition: string, region: string): string {
  if (partition === "aws-cn") return `https://console.amazonaws.cn`;
  if (partition === "aws-us-gov") return `https://console.amazonaws-us-gov.com`;
  return region === ""
    ? "https://console.aws.amazon.com"
    : `https://${region}.console.aws.amazon.com`;
}

/**
 * The AWS console page of a resource, in its region; undefined for a type the console has no
 * page of its own for.
 */
export function consoleUrl(resource: PanelResource): string | undefined {
  const { partition, resource: path } = arnParts(resource.arn);
  const region = resource.region === "global" ? "" : resource.region;
  const r = encodeURIComponent(region === "" ? "us-east-1" : region);
  const id = encodeURIComponent(resourceIdOf(resource.arn, resource.type));
  const arn = encodeURIComponent(resource.arn);
  const host = consoleHost(partition, region);
  switch (resource.type) {
    case "ec2.instance":
      return `${host}/ec2/home?region=${r}#InstanceDetails:instanceId=${id}`;
    case "ec2.volume":
      return `${host}/ec2/home?region=${r}#VolumeDetails:volumeId=${id}`;
    case "ec2.security-group":
      return `${host}/ec2/home?region=${r}#SecurityGroup:groupId=${id}`;
    case "ec2.vpc":
      return `${host}/vpcconsole/home?region=${r}#VpcDetails:VpcId=${id}`;
    case "ec2.subnet":
      return `${host}/vpcconsole/home?region=${r}#SubnetDetails:subnetId=${id}`;
    case "ec2.route-table":
      return `${host}/vpcconsole/home?region=${r}#RouteTableDetails:RouteTableId=${id}`;
    case "ec2.internet-gateway":
      return `${host}/vpcconsole/home?region=${r}#InternetGateway:internetGatewayId=${id}`;
    case "ec2.nat-gateway":
      return `${host}/vpcconsole/home?region=${r}#NatGatewayDetails:natGatewayId=${id}`;
    case "elbv2.load-balancer":
      return `${host}/ec2/home?region=${r}#LoadBalancer:loadBalancerArn=${arn}`;
    case "elbv2.target-group":
      return `${host}/ec2/home?region=${r}#TargetGroup:targetGroupArn=${arn}`;
    case "autoscaling.group":
      return `${host}/ec2/home?region=${r}#AutoScalingGroupDetails:id=${id}`;
    case "ecs.cluster":
      return `${host}/ecs/v2/clusters/${id}?region=${r}`;
    case "ecs.service": {
      const [, cluster = ""] = path.split("/");
      return `${host}/ecs/v2/clusters/${encodeURIComponent(cluster)}/services/${id}?region=${r}`;
    }
    case "eks.cluster":
      return `${host}/eks/home?region=${r}#/clusters/${id}`;
    case "lambda.function":
      return `${host}/lambda/home?region=${r}#/functions/${id}`;
    case "rds.instance":
      return `${host}/rds/home?region=${r}#database:id=${id};is-cluster=false`;
    case "rds.cluster":
      return `${host}/rds/home?region=${r}#database:id=${id};is-cluster=true`;
    case "dynamodb.table":
      return `${host}/dynamodbv2/home?region=${r}#table?name=${id}`;
    case "elasticache.cluster":
      return `${host}/elasticache/home?region=${r}#/redis/${id}`;
    case "sqs.queue": {
      const domain = partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
      const url = `https://sqs.${region}.${domain}/${resource.accountId}/${resourceIdOf(resource.arn, resource.type)}`;
      return `${host}/sqs/v3/home?region=${r}#/queues/${encodeURIComponent(url)}`;
    }
    case "sns.topic":
      return `${host}/sns/v3/home?region=${r}#/topic/${arn}`;
    case "apigateway.rest-api":
      return `${host}/apigateway/main/apis/${id}/resources?api=${id}&region=${r}`;
    case "apigateway.http-api":
      return `${host}/apigateway/main/api-detail?api=${id}&region=${r}`;
    case "s3.bucket":
      return partition === "aws"
        ? `https://s3.console.aws.amazon.com/s3/buckets/${id}${region === "" ? "" : `?region=${r}`}`
        : `${host}/s3/buckets/${id}`;
    case "cloudfront.distribution":
      return partition === "aws"
        ? `https://us-east-1.console.aws.amazon.com/cloudfront/v4/home#/distributions/${id}`
        : `${host}/cloudfront/v4/home#/distributions/${id}`;
    default:
      return undefined;
  }
}

/** An action that applies to a resource, with its input filled in for that resource. */
export interface ResourceAction {
  /** A catalog action id, or `aws.call` (then `input` has service, operation and input). */
  actionId: string;
  label: string;
  input: Record<string, unknown>;
}

const call = (
  label: string,
  service: string,
  operation: string,
  input: Record<string, unknown>,
): ResourceAction => ({ actionId: "aws.call", label, input: { service, operation, input } });

/**
 * The actions that take this resource as their parameter: the catalog's where it has one
 * (Describe instances with InstanceIds), the SDK's operations through `aws.call` otherwise
 * (StopInstances, StopDBInstance, …). A write still goes through the plan and a typed confirmation.
 */
export function actionsFor(resource: PanelResource): ResourceAction[] {
  const id = resourceIdOf(resource.arn, resource.type);
  const arn = resource.arn;
  switch (resource.type) {
    case "ec2.instance":
      return [
        {
          actionId: "aws.ec2.describeInstances",
          label: "Describe instance",
          input: { InstanceIds: [id] },
        },
        call("Stop instance", "ec2", "StopInstances", { InstanceIds: [id] }),
        call("Start instance", "ec2", "StartInstances", { InstanceIds: [id] }),
        call("Reboot instance", "ec2", "RebootInstances", { InstanceIds: [id] }),
        call("Instance status checks", "ec2", "DescribeInstanceStatus", {
          InstanceIds: [id],
          IncludeAllInstances: true,
        }),
      ];
    case "ec2.vpc":
      return [{ actionId: "aws.ec2.describeVpcs", label: "Describe VPC", input: { VpcIds: [id] } }];
    case "ec2.subnet":
      return [
        {
          actionId: "aws.ec2.describeSubnets",
          label: "Describe subnet",
          input: { SubnetIds: [id] },
        },
      ];
    case "ec2.security-group":
      return [
        {
          actionId: "aws.ec2.describeSecurityGroups",
          label: "Describe security group",
          input: { GroupIds: [id] },
        },
      ];
    case "ec2.volume":
      return [call("Describe volume", "ec2", "DescribeVolumes", { VolumeIds: [id] })];
    case "ec2.route-table":
      return [call("Describe route table", "ec2", "DescribeRouteTables", { RouteTableIds: [id] })];
    case "ec2.internet-gateway":
      return [
        call("Describe internet gateway", "ec2", "DescribeInternetGateways", {
          InternetGatewayIds: [id],
        }),
      ];
    case "ec2.nat-gateway":
      return [call("Describe NAT gateway", "ec2", "DescribeNatGateways", { NatGatewayIds: [id] })];
    case "elbv2.load-balancer":
      return [
        call("Describe load balancer", "elastic-load-balancing-v2", "DescribeLoadBalancers", {
          LoadBalancerArns: [arn],
        }),
      ];
    case "elbv2.target-group":
      return [
        call("Target health", "elastic-load-balancing-v2", "DescribeTargetHealth", {
          TargetGroupArn: arn,
        }),
      ];
    case "autoscaling.group":
      return [
        call("Describe group", "auto-scaling", "DescribeAutoScalingGroups", {
          AutoScalingGroupNames: [id],
        }),
      ];
    case "ecs.cluster":
      return [
        {
          actionId: "aws.ecs.describeClusters",
          label: "Describe cluster",
          input: { clusters: [arn] },
        },
        { actionId: "aws.ecs.listServices", label: "List services", input: { cluster: arn } },
      ];
    case "ecs.service": {
      const cluster = arnParts(arn).resource.split("/")[1] ?? "";
      return [call("Describe service", "ecs", "DescribeServices", { cluster, services: [arn] })];
    }
    case "eks.cluster":
      return [call("Describe cluster", "eks", "DescribeCluster", { name: id })];
    case "lambda.function":
      return [
        {
          actionId: "aws.lambda.getFunctionConfiguration",
          label: "Function configuration",
          input: { FunctionName: id },
        },
      ];
    case "rds.instance":
      return [
        call("Describe DB instance", "rds", "DescribeDBInstances", { DBInstanceIdentifier: id }),
        call("Stop DB instance", "rds", "StopDBInstance", { DBInstanceIdentifier: id }),
        call("Start DB instance", "rds", "StartDBInstance", { DBInstanceIdentifier: id }),
        call("Reboot DB instance", "rds", "RebootDBInstance", { DBInstanceIdentifier: id }),
      ];
    case "rds.cluster":
      return [
        call("Describe DB cluster", "rds", "DescribeDBClusters", { DBClusterIdentifier: id }),
        call("Stop DB cluster", "rds", "StopDBCluster", { DBClusterIdentifier: id }),
        call("Start DB cluster", "rds", "StartDBCluster", { DBClusterIdentifier: id }),
      ];
    case "dynamodb.table":
      return [call("Describe table", "dynamodb", "DescribeTable", { TableName: id })];
    case "s3.bucket":
      return [
        { actionId: "aws.s3.getBucketPolicy", label: "Bucket policy", input: { Bucket: id } },
      ];
    case "sqs.queue":
      return [
        call("Queue attributes", "sqs", "GetQueueAttributes", {
          QueueUrl: `https://sqs.${resource.region}.amazonaws.com/${resource.accountId}/${id}`,
          AttributeNames: ["All"],
        }),
      ];
    case "sns.topic":
      return [call("Topic attributes", "sns", "GetTopicAttributes", { TopicArn: arn })];
    case "cloudfront.distribution":
      return [call("Describe distribution", "cloudfront", "GetDistribution", { Id: id })];
    case "apigateway.rest-api":
      return [call("Describe API", "api-gateway", "GetRestApi", { restApiId: id })];
    case "apigateway.http-api":
      return [call("Describe API", "apigatewayv2", "GetApi", { ApiId: id })];
    case "elasticache.cluster":
      return [
        call("Describe cache cluster", "elasticache", "DescribeCacheClusters", {
          CacheClusterId: id,
          ShowCacheNodeInfo: true,
        }),
      ];
    default:
      return [];
  }
}
