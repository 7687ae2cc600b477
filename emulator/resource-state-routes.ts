import type { EmulatorParts } from "./emulator-parts.js";
import type { WireResponse } from "./protocols/wire-response.js";
import { collection } from "./world/world.js";

const INSTANCE_STATES: Record<string, number> = { running: 16, stopped: 80, terminated: 48 };
const ALARM_STATES = new Set(["OK", "ALARM", "INSUFFICIENT_DATA"]);
// A status check's overall status, and its reachability detail's.
const CHECK_DETAILS: Record<string, string> = {
  ok: "passed",
  impaired: "failed",
  "insufficient-data": "insufficient-data",
};

function answer(status: number, value: unknown): WireResponse {
  return { status, headers: { "content-type": "application/json" }, body: JSON.stringify(value) };
}

/**
 * `POST /_emulator/ec2/instance-state?account=&region=&instanceId=&state=running|stopped|terminated`
 * `POST /_emulator/ec2/instance-status?account=&region=&instanceId=&check=instance|system&status=ok|impaired|insufficient-data`
 * and `POST /_emulator/cloudwatch/alarm-state?account=&region=&alarmName=&state=OK|ALARM|INSUFFICIENT_DATA`:
 * change what later describes answer, as an operator acting in the console would, without
 * credentials (the demo's member accounts have read-only roles only).
 */
export function resourceStateRoute(
  parts: EmulatorParts,
  method: string,
  path: string,
  query: URLSearchParams,
): WireResponse | undefined {
  const isInstance = path === "/_emulator/ec2/instance-state";
  const isAlarm = path === "/_emulator/cloudwatch/alarm-state";
  const isCheck = path === "/_emulator/ec2/instance-status";
  if ((!isInstance && !isAlarm && !isCheck) || method !== "POST") return undefined;
  const account = parts.world.accounts.get(query.get("account") ?? "");
  if (account === undefined) return answer(400, { error: "account: no such account in the world" });
  const region = query.get("region") ?? "";
  const state = query.get("state") ?? "";
  if (isCheck) {
    // What DescribeInstanceStatus answers for a running instance: its instance or system check.
    const check = query.get("check") ?? "";
    const status = query.get("status") ?? "";
    const detail = CHECK_DETAILS[status];
    if (check !== "instance" && check !== "system")
      return answer(400, { error: "check: expected instance or system" });
    if (detail === undefined)
      return answer(400, { error: "status: expected ok, impaired or insufficient-data" });
    const id = query.get("instanceId") ?? "";
    const instance = collection(account, region, "ec2", "Instances").find(
      (i) => i.InstanceId === id,
    );
    if (instance === undefined)
      return answer(404, { error: `instanceId: no instance ${id} in ${account.id} ${region}` });
    instance[check === "instance" ? "InstanceStatus" : "SystemStatus"] = {
      Status: status,
      Details: [
        {
          Name: "reachability",
          Status: detail,
          ...(status === "impaired" ? { ImpairedSince: parts.now().toISOString() } : {}),
        },
      ],
    };
    return answer(200, { instanceId: id, check, status });
  }
  if (isInstance) {
    const code = INSTANCE_STATES[state];
    if (code === undefined)
      return answer(400, { error: "state: expected running, stopped or terminated" });
    const id = query.get("instanceId") ?? "";
    const instance = collection(account, region, "ec2", "Instances").find(
      (i) => i.InstanceId === id,
    );
    if (instance === undefined)
      return answer(404, { error: `instanceId: no instance ${id} in ${account.id} ${region}` });
    instance.State = { Code: code, Name: state };
    return answer(200, { instanceId: id, state });
  }
  if (!ALARM_STATES.has(state))
    return answer(400, { error: "state: expected OK, ALARM or INSUFFICIENT_DATA" });
  const name = query.get("alarmName") ?? "";
  const alarm = collection(account, region, "monitoring", "MetricAlarms").find(
    (a) => a.AlarmName === name,
  );
  if (alarm === undefined)
    return answer(404, { error: `alarmName: no alarm ${name} in ${account.id} ${region}` });
  alarm.StateValue = state;
  alarm.StateUpdatedTimestamp = parts.now().toISOString();
  return answer(200, { alarmName: name, state });
}
