import {
  CloudWatchClient,
  paginateDescribeAlarms,
  type Dimension,
  type MetricAlarm,
} from "@aws-sdk/client-cloudwatch";
import { EC2Client, paginateDescribeInstanceStatus } from "@aws-sdk/client-ec2";
import { checkAccess, type ActionContext } from "../actions/index.js";
import { collect, idOfArn } from "./resource-type.js";

/** Why part of a live status is unknown: AWS's (or the access check's) code and message. */
export interface Explained {
  code: string;
  message: string;
}

/** What a view needs besides each type's listing: status checks and alarms. */
export const LIVE_STATUS_IAM_ACTIONS = ["cloudwatch:DescribeAlarms", "ec2:DescribeInstanceStatus"];

/**
 * The connection's access setting is checked before any call leaves the process, as for the
 * listing itself: a `view` or `read` connection calls only what its managed policy allows.
 */
async function refusal(
  access: Parameters<typeof checkAccess>[0],
  action: string,
  what: string,
): Promise<Explained | undefined> {
  const decision = await checkAccess(access, [action]);
  return decision.allowed
    ? undefined
    : { code: "ACCESS_REFUSED", message: `${what}: ${decision.reason}` };
}

function explained(error: unknown, what: string): Explained {
  const code =
    typeof error === "object" && error !== null && "code" in error
      ? String(error.code)
      : error instanceof Error
        ? error.name
        : "ERROR";
  const message = error instanceof Error ? error.message : String(error);
  return { code, message: `${what}: ${message}` };
}

/** One alarm now in ALARM, with the dimension sets of its metric (or of each metric of its math). */
export interface AlarmInAlarm {
  name: string;
  dimensions: Map<string, string>[];
}

function dimensionSet(dimensions: Dimension[] | undefined): Map<string, string> {
  return new Map((dimensions ?? []).map((d) => [d.Name ?? "", d.Value ?? ""]));
}

function alarmOf(alarm: MetricAlarm): AlarmInAlarm {
  return {
    name: alarm.AlarmName ?? "",
    dimensions: [
      dimensionSet(alarm.Dimensions),
      ...(alarm.Metrics ?? []).flatMap((m) =>
        m.MetricStat?.Metric === undefined ? [] : [dimensionSet(m.MetricStat.Metric.Dimensions)],
      ),
    ].filter((set) => set.size > 0),
  };
}

/** The metric alarms of the context's region now in ALARM (DescribeAlarms, StateValue ALARM). */
export async function alarmsInAlarm(
  context: ActionContext,
  access: Parameters<typeof checkAccess>[0],
): Promise<{ alarms: AlarmInAlarm[] } | { error: Explained }> {
  const refused = await refusal(access, "cloudwatch:DescribeAlarms", "alarms unknown");
  if (refused !== undefined) return { error: refused };
  try {
    const client = context.client(CloudWatchClient);
    const alarms = await collect(
      paginateDescribeAlarms({ client }, { StateValue: "ALARM", AlarmTypes: ["MetricAlarm"] }),
      (p) => p.MetricAlarms,
    );
    return { alarms: alarms.map(alarmOf) };
  } catch (error) {
    return {
      error: explained(error, "alarms unknown (cloudwatch:DescribeAlarms was refused or failed)"),
    };
  }
}

/** The instances of the context's region whose instance or system status check is impaired. */
export async function impairedInstances(
  context: ActionContext,
  access: Parameters<typeof checkAccess>[0],
): Promise<{ impaired: Set<string> } | { error: Explained }> {
  const refused = await refusal(access, "ec2:DescribeInstanceStatus", "status checks unknown");
  if (refused !== undefined) return { error: refused };
  try {
    const client = context.client(EC2Client);
    const statuses = await collect(
      paginateDescribeInstanceStatus({ client }, {}),
      (p) => p.InstanceStatuses,
    );
    return {
      impaired: new Set(
        statuses
          .filter(
            (s) => s.InstanceStatus?.Status === "impaired" || s.SystemStatus?.Status === "impaired",
          )
          .map((s) => s.InstanceId ?? ""),
      ),
    };
  } catch (error) {
    return {
      error: explained(
        error,
        "status checks unknown (ec2:DescribeInstanceStatus was refused or failed)",
      ),
    };
  }
}

const after = (arn: string, marker: string): string => {
  const at = arn.indexOf(marker);
  return at < 0 ? "" : arn.slice(at + marker.length);
};
const lastField = (arn: string): string => arn.slice(arn.lastIndexOf(":") + 1);
const field = (raw: unknown, name: string): string => {
  const value = (raw as Record<string, unknown> | null)?.[name];
  return typeof value === "string" ? value : "";
};

/**
 * The CloudWatch dimensions that point at a resource of each type (those AWS's own metrics
 * use), and dimensions whose presence means the alarm is about something inside it instead.
 */
const DIMENSIONS: Record<
  string,
  { of(arn: string, raw: unknown): Record<string, string>; not?: string[] }
> = {
  "ec2.instance": { of: (arn) => ({ InstanceId: idOfArn(arn) }) },
  "rds.instance": { of: (arn) => ({ DBInstanceIdentifier: after(arn, ":db:") }) },
  "rds.cluster": { of: (arn) => ({ DBClusterIdentifier: after(arn, ":cluster:") }) },
  "lambda.function": {
    of: (arn) => ({ FunctionName: after(arn, ":function:").split(":")[0] ?? "" }),
  },
  "elbv2.load-balancer": {
    of: (arn) => ({ LoadBalancer: after(arn, ":loadbalancer/") }),
    not: ["TargetGroup"],
  },
  "elbv2.target-group": { of: (arn) => ({ TargetGroup: lastField(arn) }) },
  "dynamodb.table": { of: (arn) => ({ TableName: after(arn, ":table/") }) },
  "sqs.queue": { of: (arn) => ({ QueueName: lastField(arn) }) },
  "sns.topic": { of: (arn) => ({ TopicName: lastField(arn) }) },
  "elasticache.cluster": { of: (arn) => ({ CacheClusterId: after(arn, ":cluster:") }) },
  "ecs.cluster": { of: (arn) => ({ ClusterName: after(arn, ":cluster/") }), not: ["ServiceName"] },
  "ecs.service": {
    of: (arn, raw) => ({
      ClusterName: idOfArn(field(raw, "clusterArn")),
      ServiceName: field(raw, "serviceName") || idOfArn(arn),
    }),
  },
  "apigateway.rest-api": { of: (_arn, raw) => ({ ApiName: field(raw, "name") }) },
  "apigateway.http-api": { of: (arn) => ({ ApiId: idOfArn(arn) }) },
  "cloudfront.distribution": { of: (arn) => ({ DistributionId: idOfArn(arn) }) },
  "autoscaling.group": {
    of: (arn) => ({ AutoScalingGroupName: after(arn, ":autoScalingGroupName/") }),
  },
};

/** Whether alarms can point at resources of a type (else no DescribeAlarms is made for it). */
export function hasAlarms(type: string): boolean {
  return DIMENSIONS[type] !== undefined;
}

/** The names of the alarms whose metric dimensions point at the resource, sorted. */
export function alarmsPointingAt(
  type: string,
  arn: string,
  raw: unknown,
  alarms: AlarmInAlarm[],
): string[] {
  const mapping = DIMENSIONS[type];
  if (mapping === undefined) return [];
  const wanted = Object.entries(mapping.of(arn, raw));
  if (wanted.some(([, value]) => value === "")) return [];
  const names = alarms
    .filter((alarm) =>
      alarm.dimensions.some(
        (set) =>
          wanted.every(([name, value]) => set.get(name) === value) &&
          !(mapping.not ?? []).some((name) => set.has(name)),
      ),
    )
    .map((alarm) => alarm.name);
  return [...new Set(names)].sort();
}
