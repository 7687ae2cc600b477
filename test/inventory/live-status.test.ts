import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import { waitForRun } from "../engine/engine-world.js";
import {
  balancer,
  ec2Arn,
  inventoryStage,
  metricAlarm,
  PROD,
  SECRET_ATTRIBUTES,
  type InventoryStage,
} from "./inventory-world.js";

interface Line {
  arn: string;
  type?: string;
  attributes?: { name?: string; state?: string; alarms?: string[] };
  partial?: { code: string; message: string };
  error?: { code: string; message: string };
}

const US = "us-east-1";
const EU = "eu-west-1";
const instance = ec2Arn(US, PROD, "instance", "i-10web");
const euInstance = ec2Arn(EU, PROD, "instance", "i-11web");
const rds = `arn:aws:rds:${US}:${PROD}:db:orders-10`;
const targetGroup = `arn:aws:elasticloadbalancing:${US}:${PROD}:targetgroup/web-10/6d0ecf831eec9f10`;
const loadBalancer = balancer(PROD, US, 10).arn;
const queue = `arn:aws:sqs:${US}:${PROD}:jobs-10`;
const topic = `arn:aws:sns:${US}:${PROD}:alerts-10`;

describeEachDatabase("inventory live status", (suite) => {
  let stage: InventoryStage;

  beforeAll(async () => {
    stage = await inventoryStage(suite.handle().db);
    const alarms = stage.emulator.world.accounts.get(PROD)?.resources[US]?.monitoring
      ?.MetricAlarms as unknown[];
    alarms.push(
      metricAlarm(PROD, US, "orders-db-connections", {
        Name: "DBInstanceIdentifier",
        Value: "orders-10",
      }),
      {
        ...metricAlarm(PROD, US, "web-unhealthy-hosts", {
          Name: "TargetGroup",
          Value: "targetgroup/web-10/6d0ecf831eec9f10",
        }),
        Dimensions: [
          { Name: "TargetGroup", Value: "targetgroup/web-10/6d0ecf831eec9f10" },
          { Name: "LoadBalancer", Value: "app/web-10/50dc6c495c0c9110" },
        ],
      },
      metricAlarm(PROD, US, "jobs-backlog", { Name: "QueueName", Value: "jobs-10" }),
      metricAlarm(PROD, US, "jobs-backlog-ok", { Name: "QueueName", Value: "jobs-10" }, "OK"),
      metricAlarm(PROD, US, "someone-elses-instance", { Name: "InstanceId", Value: "i-99" }),
    );
    const started = await stage.t.call("POST", "/api/v1/inventory/syncs", {
      body: {
        connections: ["prod"],
        types: ["ec2.instance", "rds.instance", "elbv2.load-balancer", "elbv2.target-group"].concat(
          ["sqs.queue", "sns.topic"],
        ),
      },
    });
    expect(started.statusCode, started.body).toBe(202);
    const run = await waitForRun(stage.t, started.json<{ id: string }>().id);
    expect(run.status, JSON.stringify(run)).toBe("succeeded");
  });
  afterAll(async () => {
    await stage.close();
  });

  async function live(arns: string[]): Promise<Map<string, Line>> {
    const response = await stage.t.call("POST", "/api/v1/inventory/attributes", {
      body: { arns },
    });
    expect(response.statusCode, response.body).toBe(200);
    const lines = response.body
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Line);
    return new Map(lines.map((l) => [l.arn, l]));
  }

  async function control(path: string) {
    const response = await fetch(`${stage.emulator.url}${path}`, { method: "POST" });
    expect(response.status, await response.text()).toBe(200);
  }
  const setInstance = (id: string, state: string) =>
    control(
      `/_emulator/ec2/instance-state?account=${PROD}&region=${EU}&instanceId=${id}&state=${state}`,
    );

  /** Denies one action to prod's role while `body` runs. */
  async function denied<T>(action: string, body: () => Promise<T>): Promise<T> {
    const role = stage.emulator.world.accounts.get(PROD)?.roles.get("switchboard-read");
    if (role === undefined) throw new Error("no role");
    role.policies.push({
      name: "deny-live",
      document: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Deny", Action: action, Resource: "*" }],
      },
    });
    stage.emulator.authorizer.clear();
    try {
      return await body();
    } finally {
      role.policies = role.policies.filter((p) => p.name !== "deny-live");
      stage.emulator.authorizer.clear();
    }
  }

  it("shows a stopped instance as stopped, and one whose status checks fail as impaired", async () => {
    expect((await live([euInstance])).get(euInstance)?.attributes?.state).toBe("running");
    await setInstance("i-11web", "stopped");
    expect((await live([euInstance])).get(euInstance)?.attributes?.state).toBe("stopped");
    await setInstance("i-11web", "running");
    const check = (status: string) =>
      control(
        `/_emulator/ec2/instance-status?account=${PROD}&region=${EU}&instanceId=i-11web&check=system&status=${status}`,
      );
    await check("impaired");
    try {
      const line = (await live([euInstance])).get(euInstance);
      expect(line?.attributes?.state).toBe("impaired");
      expect(line?.partial).toBeUndefined();
    } finally {
      await check("ok");
    }
    expect((await live([euInstance])).get(euInstance)?.attributes?.state).toBe("running");
  });

  it("names the alarms in ALARM whose dimensions point at each resource, with one DescribeAlarms per connection and region", async () => {
    const arns = [instance, rds, targetGroup, loadBalancer, queue, topic];
    stage.emulator.resetCounters();
    const lines = await live(arns);
    expect(stage.emulator.counters().byOperation["monitoring:DescribeAlarms"]).toBe(1);
    const alarmsOf = (arn: string) => lines.get(arn)?.attributes?.alarms;
    expect(alarmsOf(instance)).toEqual([SECRET_ATTRIBUTES.alarmName]);
    expect(alarmsOf(rds)).toEqual(["orders-db-connections"]);
    // The target group's alarm names its balancer too, but is about the group.
    expect(alarmsOf(targetGroup)).toEqual(["web-unhealthy-hosts"]);
    expect(alarmsOf(loadBalancer)).toEqual([]);
    expect(alarmsOf(queue)).toEqual(["jobs-backlog"]);
    expect(alarmsOf(topic)).toEqual([]);

    // An operator raises the topic's alarm, then clears the database's.
    const alarms = stage.emulator.world.accounts.get(PROD)?.resources[US]?.monitoring
      ?.MetricAlarms as unknown[];
    alarms.push(
      metricAlarm(PROD, US, "alerts-failing", { Name: "TopicName", Value: "alerts-10" }, "OK"),
    );
    await control(
      `/_emulator/cloudwatch/alarm-state?account=${PROD}&region=${US}&alarmName=alerts-failing&state=ALARM`,
    );
    await control(
      `/_emulator/cloudwatch/alarm-state?account=${PROD}&region=${US}&alarmName=orders-db-connections&state=OK`,
    );
    const after = await live([topic, rds]);
    expect(after.get(topic)?.attributes?.alarms).toEqual(["alerts-failing"]);
    expect(after.get(rds)?.attributes?.alarms).toEqual([]);
  });

  it("still answers the attributes when DescribeAlarms is refused, and says why the status is partial", async () => {
    const lines = await denied("cloudwatch:DescribeAlarms", () => live([instance, rds]));
    for (const arn of [instance, rds]) {
      const line = lines.get(arn);
      expect(line?.error).toBeUndefined();
      expect(line?.attributes?.alarms).toBeUndefined();
      expect(line?.partial?.code).toMatch(/^AccessDenied/);
      expect(line?.partial?.message).toContain("cloudwatch:DescribeAlarms");
    }
    expect(lines.get(instance)?.attributes).toMatchObject({
      name: SECRET_ATTRIBUTES.nameTag,
      state: SECRET_ATTRIBUTES.state,
    });
  });

  it("asks nothing the connection's access setting does not allow: a view connection's alarms are unknown, and say why", async () => {
    const patch = (access: string) =>
      stage.t.call("PATCH", "/api/v1/connections/prod", { body: { access } });
    const viewOnly = await patch("view");
    expect(viewOnly.statusCode, viewOnly.body).toBe(200);
    try {
      stage.emulator.resetCounters();
      const line = (await live([instance])).get(instance);
      // ViewOnlyAccess has no cloudwatch:DescribeAlarms: it is refused before any request.
      expect(stage.emulator.counters().byOperation["monitoring:DescribeAlarms"] ?? 0).toBe(0);
      expect(line?.attributes?.name).toBe(SECRET_ATTRIBUTES.nameTag);
      expect(line?.attributes?.alarms).toBeUndefined();
      expect(line?.partial?.code).toBe("ACCESS_REFUSED");
      expect(line?.partial?.message).toContain("ViewOnlyAccess");
    } finally {
      expect((await patch("read")).statusCode).toBe(200);
    }
  });

  it("keeps AWS's state when DescribeInstanceStatus is refused, and says so", async () => {
    const lines = await denied("ec2:DescribeInstanceStatus", () => live([euInstance]));
    const line = lines.get(euInstance);
    expect(line?.attributes?.state).toBe("running");
    expect(line?.partial?.code).toBe("UnauthorizedOperation");
    expect(line?.partial?.message).toContain("ec2:DescribeInstanceStatus");
  });
});
