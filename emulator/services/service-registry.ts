import { accountService } from "./account-service.js";
import { apigatewayService, apigatewayv2Service } from "./apigateway-service.js";
import { autoscalingService } from "./autoscaling-service.js";
import { cloudfrontService } from "./cloudfront-service.js";
import { cloudwatchService } from "./cloudwatch-service.js";
import { costExplorerService } from "./cost-explorer-service.js";
import { dynamodbService } from "./dynamodb-service.js";
import { eksService } from "./eks-service.js";
import { elasticacheService } from "./elasticache-service.js";
import { elbv2Service } from "./elbv2-service.js";
import { pricingService } from "./pricing-service.js";
import { rdsService } from "./rds-service.js";
import { sqsService } from "./sqs-service.js";
import type { ServiceHandlers } from "./call-context.js";
import { cloudFormationService } from "./cloudformation-service.js";
import { ec2Service } from "./ec2-service.js";
import { ecsService } from "./ecs-service.js";
import { iamService } from "./iam-service.js";
import { lambdaService } from "./lambda-service.js";
import { logsService } from "./logs-service.js";
import { organizationsService } from "./organizations-service.js";
import { s3Service } from "./s3-service.js";
import { secretsManagerService } from "./secretsmanager-service.js";
import { stsService } from "./sts-service.js";

/**
 * Behaviour per service, keyed by model name (the credential-scope name, except
 * `elasticloadbalancingv2` and `apigatewayv2`, see select-model.ts); reads not listed use
 * genericRead.
 */
export const SERVICES: Record<string, ServiceHandlers> = {
  sts: stsService,
  ec2: ec2Service,
  ecs: ecsService,
  s3: s3Service,
  lambda: lambdaService,
  secretsmanager: secretsManagerService,
  logs: logsService,
  account: accountService,
  iam: iamService,
  organizations: organizationsService,
  cloudformation: cloudFormationService,
  elasticloadbalancingv2: elbv2Service,
  autoscaling: autoscalingService,
  eks: eksService,
  rds: rdsService,
  elasticache: elasticacheService,
  dynamodb: dynamodbService,
  sqs: sqsService,
  cloudfront: cloudfrontService,
  apigateway: apigatewayService,
  apigatewayv2: apigatewayv2Service,
  monitoring: cloudwatchService,
  pricing: pricingService,
  ce: costExplorerService,
};
