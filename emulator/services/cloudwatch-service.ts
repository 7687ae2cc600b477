import { AwsError } from "../aws-error.js";
import type { ResourceItem } from "../world/world.js";
import type { ServiceHandlers } from "./call-context.js";
import { pagedOutput, worldItems } from "./generic-read.js";
import { text } from "./input-text.js";

const STATES = new Set(["OK", "ALARM", "INSUFFICIENT_DATA"]);

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(text) : [];
}

/**
 * CloudWatch (signing name `monitoring`), world key `monitoring`: `MetricAlarms` and
 * `CompositeAlarms` as DescribeAlarms returns them. SetAlarmState changes an alarm's state, so
 * a test or the demo can raise one.
 */
export const cloudwatchService: ServiceHandlers = {
  async DescribeAlarms(ctx, input) {
    await ctx.authorize("cloudwatch:DescribeAlarms", "*");
    const types = strings(input.AlarmTypes);
    // Without AlarmTypes, CloudWatch lists metric alarms only.
    const wanted = types.length === 0 ? ["MetricAlarm"] : types;
    const names = strings(input.AlarmNames);
    const prefix = text(input.AlarmNamePrefix);
    const state = text(input.StateValue);
    if (names.length > 0 && prefix !== "")
      throw new AwsError(
        "InvalidParameterCombination",
        "AlarmNames and AlarmNamePrefix cannot be specified together.",
        400,
      );
    const keep = (alarm: ResourceItem): boolean =>
      (names.length === 0 || names.includes(text(alarm.AlarmName))) &&
      text(alarm.AlarmName).startsWith(prefix) &&
      (state === "" || alarm.StateValue === state);
    const all: [string, ResourceItem][] = [
      ...(wanted.includes("MetricAlarm") ? worldItems(ctx, "MetricAlarms") : []).map(
        (a) => ["MetricAlarms", a] as [string, ResourceItem],
      ),
      ...(wanted.includes("CompositeAlarm") ? worldItems(ctx, "CompositeAlarms") : []).map(
        (a) => ["CompositeAlarms", a] as [string, ResourceItem],
      ),
    ].filter(([, alarm]) => keep(alarm));
    const paged = pagedOutput(ctx, input, "Alarms", all);
    const page = paged.Alarms as [string, ResourceItem][];
    const output: Record<string, unknown> = {
      MetricAlarms: page.filter(([kind]) => kind === "MetricAlarms").map(([, a]) => a),
      CompositeAlarms: page.filter(([kind]) => kind === "CompositeAlarms").map(([, a]) => a),
    };
    if (paged.NextToken !== undefined) output.NextToken = paged.NextToken;
    return output;
  },

  async SetAlarmState(ctx, input) {
    const name = text(input.AlarmName);
    await ctx.authorize(
      "cloudwatch:SetAlarmState",
      `arn:aws:cloudwatch:${ctx.region}:${ctx.account.id}:alarm:${name}`,
    );
    const value = text(input.StateValue);
    if (!STATES.has(value))
      throw new AwsError(
        "ValidationError",
        `1 validation error detected: Value '${value}' at 'stateValue' failed to satisfy constraint: Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]`,
        400,
      );
    const alarm = [...worldItems(ctx, "MetricAlarms"), ...worldItems(ctx, "CompositeAlarms")].find(
      (a) => a.AlarmName === name,
    );
    if (alarm === undefined) throw new AwsError("ResourceNotFound", `Alarm ${name} not found`, 404);
    alarm.StateValue = value;
    alarm.StateReason = text(input.StateReason);
    alarm.StateUpdatedTimestamp = ctx.now().toISOString();
    return {};
  },
};
