import { fileURLToPath } from "node:url";
import { ListClustersCommand, ECSClient } from "@aws-sdk/client-ecs";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { startEmulator, type Emulator } from "../../emulator/index.js";
import {
  countEstateResources,
  type GeneratedResources,
} from "../../emulator/worlds/generate-estate.js";

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({
    world: fileURLToPath(new URL("../../emulator/worlds/demo.yaml", import.meta.url)),
  });
});
afterAll(async () => {
  await emulator.close();
});

describe("the demo world", () => {
  it("lets the management account's switchboard user reach a member account through its ExternalId role", async () => {
    const sts = new STSClient({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials: {
        accessKeyId: "AKIAMANAGEMENTSWITCH1",
        secretAccessKey: "management-switchboard-secret-000000000",
      },
    });
    const assumed = await sts.send(
      new AssumeRoleCommand({
        RoleArn: "arn:aws:iam::222222222222:role/switchboard-read",
        RoleSessionName: "demo",
        ExternalId: "sb-demo-external-id",
      }),
    );
    const ecs = new ECSClient({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials: {
        accessKeyId: assumed.Credentials?.AccessKeyId ?? "",
        secretAccessKey: assumed.Credentials?.SecretAccessKey ?? "",
        sessionToken: assumed.Credentials?.SessionToken ?? "",
      },
    });
    expect((await ecs.send(new ListClustersCommand({}))).clusterArns).toEqual([
      "arn:aws:ecs:us-east-1:222222222222:cluster/web",
    ]);
  });
});

describe("the demo estate", () => {
  it("holds hundreds of resources over three accounts, with the production web tier's relations", async () => {
    const counts = [...emulator.world.accounts.values()].map((account) =>
      countEstateResources(account.resources as GeneratedResources),
    );
    expect(counts.slice(0, 3).every((n) => n > 40)).toBe(true);
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThan(300);
    const admin = {
      accessKeyId: "AKIAMANAGEMENTADMIN1",
      secretAccessKey: "management-admin-secret-0000000000000000",
    };
    const sts = new STSClient({ endpoint: emulator.url, region: "us-east-1", credentials: admin });
    const assumed = await sts.send(
      new AssumeRoleCommand({
        RoleArn: "arn:aws:iam::222222222222:role/switchboard-read",
        RoleSessionName: "demo",
        ExternalId: "sb-demo-external-id",
      }),
    );
    const credentials = {
      accessKeyId: assumed.Credentials?.AccessKeyId ?? "",
      secretAccessKey: assumed.Credentials?.SecretAccessKey ?? "",
      sessionToken: assumed.Credentials?.SessionToken ?? "",
    };
    const elb = new ElasticLoadBalancingV2Client({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials,
    });
    const [group] =
      (await elb.send(new DescribeTargetGroupsCommand({ Names: ["prod-web"] }))).TargetGroups ?? [];
    const health = await elb.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: group?.TargetGroupArn }),
    );
    expect(health.TargetHealthDescriptions?.map((d) => d.Target?.Id)).toEqual([
      "i-0b1b2c3d4e5f60001",
      "i-0b1b2c3d4e5f60002",
    ]);
    const west = await new ElasticLoadBalancingV2Client({
      endpoint: emulator.url,
      region: "us-west-2",
      credentials,
    }).send(new DescribeLoadBalancersCommand({}));
    expect(west.LoadBalancers?.length).toBeGreaterThan(1);
  });
});
