import type { ResourceType } from "./resource-type.js";
import { apiGatewayHttpApi } from "./types/api-gateway-http-api.js";
import { apiGatewayRestApi } from "./types/api-gateway-rest-api.js";
import { autoScalingGroup } from "./types/auto-scaling-group.js";
import { cloudfrontDistribution } from "./types/cloudfront-distribution.js";
import { dynamodbTable } from "./types/dynamodb-table.js";
import { ebsVolume } from "./types/ebs-volume.js";
import { ec2Instance } from "./types/ec2-instance.js";
import { ecsCluster } from "./types/ecs-cluster.js";
import { ecsService } from "./types/ecs-service.js";
import { eksCluster } from "./types/eks-cluster.js";
import { elasticacheCluster } from "./types/elasticache-cluster.js";
import { internetGateway } from "./types/internet-gateway.js";
import { lambdaFunction } from "./types/lambda-function.js";
import { loadBalancer } from "./types/load-balancer.js";
import { natGateway } from "./types/nat-gateway.js";
import { rdsCluster } from "./types/rds-cluster.js";
import { rdsInstance } from "./types/rds-instance.js";
import { routeTable } from "./types/route-table.js";
import { s3Bucket } from "./types/s3-bucket.js";
import { securityGroup } from "./types/security-group.js";
import { snsTopic } from "./types/sns-topic.js";
import { sqsQueue } from "./types/sqs-queue.js";
import { subnet } from "./types/subnet.js";
import { targetGroup } from "./types/target-group.js";
import { vpc } from "./types/vpc.js";

/** Every resource type a sync lists, one file each in types/. */
export const RESOURCE_TYPES: readonly ResourceType[] = [
  vpc,
  subnet,
  routeTable,
  internetGateway,
  natGateway,
  securityGroup,
  ec2Instance,
  ebsVolume,
  loadBalancer,
  targetGroup,
  autoScalingGroup,
  ecsCluster,
  ecsService,
  eksCluster,
  lambdaFunction,
  rdsInstance,
  rdsCluster,
  dynamodbTable,
  s3Bucket,
  cloudfrontDistribution,
  apiGatewayRestApi,
  apiGatewayHttpApi,
  sqsQueue,
  snsTopic,
  elasticacheCluster,
];

const BY_TYPE = new Map(RESOURCE_TYPES.map((t) => [t.type, t]));

export function resourceTypeOf(type: string): ResourceType | undefined {
  return BY_TYPE.get(type);
}

/** Every IAM action a sync of every type needs (the README's policy). */
export function syncIamActions(): string[] {
  return [...new Set(RESOURCE_TYPES.flatMap((t) => t.iamActions))].sort();
}
