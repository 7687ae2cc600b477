import { accountService } from "./account-service.js";
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

/** Behaviour per service, keyed by credential-scope name; reads not listed use genericRead. */
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
};
