import { Invalid } from "../../errors.js";
import { iamServiceKnown } from "./iam-data-files.js";

// SDK v3 client names ("client-cloudwatch-logs") whose IAM prefix is neither the name itself nor
// the name without hyphens ("secrets-manager" → "secretsmanager" needs no entry). The prefix is
// the service's SigV4 signing name, which AWS chose independently of the SDK's package name.
const RENAMES: Readonly<Record<string, string>> = {
  "cloudwatch-logs": "logs",
  "cloudwatch-events": "events",
  eventbridge: "events",
  sfn: "states",
  efs: "elasticfilesystem",
  "elastic-load-balancing": "elasticloadbalancing",
  "elastic-load-balancing-v2": "elasticloadbalancing",
  "auto-scaling": "autoscaling",
  "application-auto-scaling": "application-autoscaling",
  "cognito-identity-provider": "cognito-idp",
  "config-service": "config",
  "cost-explorer": "ce",
  opensearch: "es",
  "elasticsearch-service": "es",
  "kinesis-firehose": "firehose",
  "resource-groups-tagging-api": "tag",
  "sso-admin": "sso",
  "dynamodb-streams": "dynamodb",
  "api-gateway": "apigateway",
  apigatewayv2: "apigateway",
  "directory-service": "ds",
  "database-migration-service": "dms",
  "cloudhsm-v2": "cloudhsm",
  "s3-control": "s3",
  "timestream-query": "timestream",
  "timestream-write": "timestream",
};

/**
 * The IAM service prefix of an AWS service named the way the SDK v3 names its client
 * ("client-secrets-manager", "secrets-manager", "cloudwatch-logs") or by the prefix itself.
 */
export function iamServicePrefix(service: string): string {
  const name = service
    .trim()
    .toLowerCase()
    .replace(/^@aws-sdk\//, "")
    .replace(/^client-/, "");
  const renamed = RENAMES[name];
  if (renamed !== undefined) return renamed;
  if (iamServiceKnown(name)) return name;
  const joined = name.replaceAll("-", "");
  if (iamServiceKnown(joined)) return joined;
  throw new Invalid(`AWS service "${service}" has no IAM service prefix that Switchboard knows`, {
    field: "service",
  });
}

/** For tests: every rename must land on a service iam-data knows. */
export const SERVICE_RENAMES = RENAMES;
