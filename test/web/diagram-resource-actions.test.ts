import { describe, expect, it } from "vitest";
import {
  findAction,
  iamActionsOf,
  isWriteLevel,
  strongestAccessLevel,
} from "../../src/actions/index.js";
import { checkOperation } from "../../src/actions/aws-call.js";
import { RESOURCE_TYPES } from "../../src/inventory/index.js";
import { liveStatusOf } from "../../web/src/pages/inventory/diagram/live-status.js";
import {
  actionsFor,
  consoleUrl,
  resourceIdOf,
  type PanelResource,
} from "../../web/src/pages/inventory/diagram/resource-links.js";

const ACCOUNT = "222222222222";
const REGION = "eu-west-1";

// One ARN of each inventory type, as its listing builds them, with the id AWS's APIs take.
const SAMPLES: Record<string, { arn: string; id: string }> = {
  "ec2.instance": { arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0abc`, id: "i-0abc" },
  "ec2.volume": { arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:volume/vol-0abc`, id: "vol-0abc" },
  "ec2.vpc": { arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:vpc/vpc-0abc`, id: "vpc-0abc" },
  "ec2.subnet": { arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:subnet/subnet-0abc`, id: "subnet-0abc" },
  "ec2.security-group": {
    arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/sg-0abc`,
    id: "sg-0abc",
  },
  "ec2.route-table": {
    arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:route-table/rtb-0abc`,
    id: "rtb-0abc",
  },
  "ec2.internet-gateway": {
    arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:internet-gateway/igw-0abc`,
    id: "igw-0abc",
  },
  "ec2.nat-gateway": {
    arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:natgateway/nat-0abc`,
    id: "nat-0abc",
  },
  "elbv2.load-balancer": {
    arn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/app/web/50dc6c495c0c9188`,
    id: "50dc6c495c0c9188",
  },
  "elbv2.target-group": {
    arn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/web/6d0ecf831eec9f09`,
    id: "6d0ecf831eec9f09",
  },
  "autoscaling.group": {
    arn: `arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:4e5f:autoScalingGroupName/web-asg`,
    id: "web-asg",
  },
  "ecs.cluster": { arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/web`, id: "web" },
  "ecs.service": { arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/web/api`, id: "api" },
  "eks.cluster": { arn: `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/platform`, id: "platform" },
  "lambda.function": {
    arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:thumbnailer`,
    id: "thumbnailer",
  },
  "rds.instance": { arn: `arn:aws:rds:${REGION}:${ACCOUNT}:db:prod-db`, id: "prod-db" },
  "rds.cluster": { arn: `arn:aws:rds:${REGION}:${ACCOUNT}:cluster:prod-aurora`, id: "prod-aurora" },
  "dynamodb.table": { arn: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/orders`, id: "orders" },
  "s3.bucket": { arn: "arn:aws:s3:::demo-assets", id: "demo-assets" },
  "cloudfront.distribution": {
    arn: `arn:aws:cloudfront::${ACCOUNT}:distribution/E2DEMO`,
    id: "E2DEMO",
  },
  "apigateway.rest-api": { arn: `arn:aws:apigateway:${REGION}::/restapis/a1b2c3`, id: "a1b2c3" },
  "apigateway.http-api": { arn: `arn:aws:apigateway:${REGION}::/apis/d4e5f6`, id: "d4e5f6" },
  "sqs.queue": { arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:jobs`, id: "jobs" },
  "sns.topic": { arn: `arn:aws:sns:${REGION}:${ACCOUNT}:alerts`, id: "alerts" },
  "elasticache.cluster": {
    arn: `arn:aws:elasticache:${REGION}:${ACCOUNT}:cluster:sessions-001`,
    id: "sessions-001",
  },
};

function resourceOf(type: string): PanelResource {
  const sample = SAMPLES[type];
  if (sample === undefined) throw new Error(`no sample ARN for ${type}: add one`);
  return { arn: sample.arn, type, accountId: ACCOUNT, region: REGION, connection: "production" };
}

describe("the diagram side panel's links and actions", () => {
  it("has a sample for every inventory resource type", () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(RESOURCE_TYPES.map((t) => t.type).sort());
  });

  it.each(RESOURCE_TYPES.map((t) => t.type))(
    "links %s to its page in the AWS console of its region and names its id",
    (type) => {
      const resource = resourceOf(type);
      expect(resourceIdOf(resource.arn, type)).toBe(SAMPLES[type]?.id);
      const url = consoleUrl(resource);
      expect(url).toMatch(/^https:\/\/([a-z0-9-]+\.)?(console|s3\.console)\.aws\.amazon\.com\//);
      const id = type.startsWith("elbv2.") ? encodeURIComponent(resource.arn) : SAMPLES[type]?.id;
      expect(url).toContain(id);
      // CloudFront is global: its console lives in us-east-1 whatever the inventory's region.
      if (type !== "cloudfront.distribution") expect(url).toContain(REGION);
    },
  );

  it("opens an instance of a China region on the China console", () => {
    const url = consoleUrl({
      ...resourceOf("ec2.instance"),
      arn: `arn:aws-cn:ec2:cn-north-1:${ACCOUNT}:instance/i-0abc`,
      region: "cn-north-1",
    });
    expect(url).toBe(
      "https://console.amazonaws.cn/ec2/home?region=cn-north-1#InstanceDetails:instanceId=i-0abc",
    );
  });

  it.each(RESOURCE_TYPES.map((t) => t.type))(
    "offers %s actions the server runs: catalog input valid, aws.call operations in the installed SDK",
    async (type) => {
      const actions = actionsFor(resourceOf(type));
      expect(actions.length).toBeGreaterThan(0);
      for (const action of actions) {
        const definition = findAction(action.actionId);
        const input = definition.input.parse(action.input) as Record<string, unknown>;
        if (action.actionId === "aws.call")
          await checkOperation(String(input.service), String(input.operation));
        // The resource is in the input: its id, name or ARN.
        const sample = SAMPLES[type];
        expect(
          JSON.stringify(action.input).includes(sample?.id ?? "") ||
            JSON.stringify(action.input).includes(sample?.arn ?? ""),
        ).toBe(true);
      }
    },
  );

  it("asks to confirm what changes an instance or a database, and nothing for a describe", async () => {
    const writes: Record<string, boolean> = {};
    for (const type of ["ec2.instance", "rds.instance", "rds.cluster"])
      for (const action of actionsFor(resourceOf(type))) {
        const level = await strongestAccessLevel(
          iamActionsOf(findAction(action.actionId), action.input),
        );
        writes[`${type} ${action.label}`] = isWriteLevel(level);
      }
    expect(writes).toEqual({
      "ec2.instance Describe instance": false,
      "ec2.instance Stop instance": true,
      "ec2.instance Start instance": true,
      "ec2.instance Reboot instance": true,
      "ec2.instance Instance status checks": false,
      "rds.instance Describe DB instance": false,
      "rds.instance Stop DB instance": true,
      "rds.instance Start DB instance": true,
      "rds.instance Reboot DB instance": true,
      "rds.cluster Describe DB cluster": false,
      "rds.cluster Stop DB cluster": true,
      "rds.cluster Start DB cluster": true,
    });
  });
});

describe("a component's live status", () => {
  const arn = `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0abc`;

  it("is AWS's state, with the resource's name", () => {
    expect(liveStatusOf({ arn, attributes: { name: "web-1", state: "running" } })).toEqual({
      status: "running",
      name: "web-1",
    });
  });

  it("is alarm while an alarm on it is in ALARM, whatever its state", () => {
    expect(
      liveStatusOf({ arn, attributes: { state: "running", alarms: ["web-1 cpu high"] } }),
    ).toEqual({ status: "alarm", alarms: ["web-1 cpu high"] });
    expect(liveStatusOf({ arn, attributes: { state: "impaired", alarms: [] } })).toEqual({
      status: "impaired",
    });
  });

  it("is unknown without a state, and keeps the error of a line that has one", () => {
    expect(liveStatusOf({ arn, attributes: {} })).toEqual({ status: "unknown" });
    const error = { code: "FORBIDDEN", message: "you need the executor role" };
    expect(liveStatusOf({ arn, error })).toEqual({ status: "unknown", error });
  });
});
