import { distance } from "fastest-levenshtein";
import { Invalid } from "../errors.js";
import { closestNames, MAX_COMPARED_LENGTH } from "./closest-names.js";

/**
 * The AWS SDK v3 clients shipped with Switchboard (`@aws-sdk/client-<name>`), the services
 * `aws.call` reaches. sdk-services.test.ts keeps this list equal to package.json's dependencies.
 * Each is imported on first use only (loadSdkModule), so the list costs start-up nothing.
 */
export const SDK_SERVICES: readonly string[] = [
  "account",
  "acm",
  "api-gateway",
  "apigatewayv2",
  "athena",
  "auto-scaling",
  "backup",
  "cloudformation",
  "cloudfront",
  "cloudtrail",
  "cloudwatch",
  "cloudwatch-logs",
  "cognito-identity-provider",
  "config-service",
  "cost-explorer",
  "dynamodb",
  "ec2",
  "ecr",
  "ecs",
  "efs",
  "eks",
  "elastic-load-balancing-v2",
  "elasticache",
  "eventbridge",
  "glue",
  "guardduty",
  "iam",
  "kinesis",
  "kms",
  "lambda",
  "organizations",
  "pricing",
  "rds",
  "redshift",
  "resource-groups-tagging-api",
  "route-53",
  "s3",
  "sagemaker",
  "secrets-manager",
  "securityhub",
  "sfn",
  "sns",
  "sqs",
  "ssm",
  "sts",
  "wafv2",
];

const INSTALLED = new Set(SDK_SERVICES);

// Names people use for a service (the AWS CLI's, the IAM prefix) mapped to the SDK v3 client name.
const ALIASES: Readonly<Record<string, string>> = {
  logs: "cloudwatch-logs",
  secretsmanager: "secrets-manager",
  elbv2: "elastic-load-balancing-v2",
  elasticloadbalancingv2: "elastic-load-balancing-v2",
  route53: "route-53",
  apigateway: "api-gateway",
  autoscaling: "auto-scaling",
  stepfunctions: "sfn",
  states: "sfn",
  events: "eventbridge",
  "cognito-idp": "cognito-identity-provider",
  configservice: "config-service",
  config: "config-service",
  ce: "cost-explorer",
  resourcegroupstaggingapi: "resource-groups-tagging-api",
  elasticfilesystem: "efs",
};

/** The SDK v3 client name of a service as a user names it; Invalid (field `service`) when none is shipped. */
export function sdkServiceName(service: string): string {
  const name = ALIASES[service] ?? service;
  if (INSTALLED.has(name)) return name;
  const closest = closestService(service);
  const suggestions = [
    ...new Set([closest, ...closestNames(service, [...SDK_SERVICES, ...Object.keys(ALIASES)])]),
  ].slice(0, 3);
  throw new Invalid(
    `no AWS SDK client for service "${service}" is installed with this Switchboard: did you mean "${closest}"? Available: ${SDK_SERVICES.join(", ")}`,
    { field: "service", details: [{ field: "service", suggestions }] },
  );
}

/** The shipped service (or alias) nearest to a name: fewest edits, a shared prefix breaking ties. */
export function closestService(given: string): string {
  const service = given.slice(0, MAX_COMPARED_LENGTH);
  let best = { name: SDK_SERVICES[0] ?? "", score: Number.POSITIVE_INFINITY };
  for (const candidate of [...SDK_SERVICES, ...Object.keys(ALIASES)]) {
    // A name the user typed part of ("dynamo", "cognito") is nearer than its edit distance says.
    const partial =
      candidate.startsWith(service) || service.startsWith(candidate)
        ? Math.abs(candidate.length - service.length) / 2
        : Number.POSITIVE_INFINITY;
    const score = Math.min(distance(service, candidate), partial);
    if (score < best.score) best = { name: candidate, score };
  }
  return best.name;
}

const modules = new Map<string, Promise<Record<string, unknown>>>();

/**
 * The module `@aws-sdk/client-<name>` of a shipped service (an SDK name: see sdkServiceName),
 * imported on its first use and kept: a client module takes tens of milliseconds to load.
 */
export function loadSdkModule(name: string): Promise<Record<string, unknown>> {
  if (!INSTALLED.has(name)) return Promise.reject(new Error(`${name} is not a shipped SDK client`));
  let loaded = modules.get(name);
  if (loaded === undefined) {
    loaded = import(`@aws-sdk/client-${name}`) as Promise<Record<string, unknown>>;
    modules.set(name, loaded);
    loaded.catch(() => modules.delete(name));
  }
  return loaded;
}
