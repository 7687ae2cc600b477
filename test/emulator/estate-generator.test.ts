import { DescribeInstancesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { buildWorld, DEFAULT_REGIONS, startEmulator } from "../../emulator/index.js";
import {
  addRegionEstate,
  countEstateResources,
  ESTATE_KEYS,
  generateEstate,
  type GeneratedResources,
} from "../../emulator/worlds/generate-estate.js";

const ID = /\b(?:vpc|subnet|sg|igw|nat|rtb|i|vol)-[0-9a-f]{17}\b/g;
const PRIMARY: Record<string, string> = {
  Vpcs: "VpcId",
  Subnets: "SubnetId",
  SecurityGroups: "GroupId",
  InternetGateways: "InternetGatewayId",
  NatGateways: "NatGatewayId",
  RouteTables: "RouteTableId",
  Instances: "InstanceId",
  Volumes: "VolumeId",
};

/** Every EC2 id the data mentions is an item it defines: no relation points nowhere. */
function danglingIds(resources: GeneratedResources): string[] {
  const defined = new Set<string>();
  const ec2 = resources["us-east-1"]?.ec2 ?? {};
  for (const [collection, field] of Object.entries(PRIMARY))
    for (const item of (ec2[collection] ?? []) as Record<string, unknown>[])
      defined.add(String(item[field]));
  return [...new Set(JSON.stringify(resources).match(ID) ?? [])].filter((id) => !defined.has(id));
}

describe("the estate generator", () => {
  it("emits exactly the resources asked for, related to one another, the same every time", () => {
    for (const count of [1, 7, 17, 41, 60, 200]) {
      const resources: GeneratedResources = {};
      addRegionEstate(resources, { accountId: "123456789012", region: "us-east-1", count });
      expect(countEstateResources(resources)).toBe(count);
      expect(danglingIds(resources)).toEqual([]);
    }
    const twice = [0, 1].map(() =>
      generateEstate({ accounts: 2, regions: ["us-east-1"], perRegion: 41 }),
    );
    expect(twice[0]).toEqual(twice[1]);
  });

  it("refuses a world whose estate names a region the world does not have, by its path", () => {
    const input = generateEstate({ accounts: 1, regions: ["us-east-1"], perRegion: 1 });
    const account = input.accounts[0];
    if (account === undefined) throw new Error("no account");
    account.estate = { "eu-west-3": 5 };
    expect(() => buildWorld(input)).toThrow(
      "accounts[0].estate.eu-west-3: not one of the world's regions",
    );
  });

  it("builds one full application stack from 41 resources, with its load balancer relations", () => {
    const resources: GeneratedResources = {};
    addRegionEstate(resources, { accountId: "123456789012", region: "us-east-1", count: 41 });
    const region = resources["us-east-1"] ?? {};
    const lb = region.elasticloadbalancingv2?.LoadBalancers?.[0] as {
      LoadBalancerArn: string;
      DNSName: string;
    };
    const groups = region.elasticloadbalancingv2?.TargetGroups as {
      LoadBalancerArns: string[];
      Targets: { Id: string }[];
    }[];
    expect(groups.map((g) => g.LoadBalancerArns)).toEqual([
      [lb.LoadBalancerArn],
      [lb.LoadBalancerArn],
    ]);
    const instances = (region.ec2?.Instances as { InstanceId: string }[]).map((i) => i.InstanceId);
    expect(groups[0]?.Targets.map((t) => t.Id)).toEqual(instances);
    const distribution = resources.global?.cloudfront?.Distributions?.[0] as {
      Origins: { Items: { DomainName: string }[] };
    };
    expect(distribution.Origins.Items[0]?.DomainName).toBe(lb.DNSName);
    expect(resources.global?.s3?.Buckets).toHaveLength(1);
  });

  it("spreads 5,000 resources over 200 accounts × 17 regions into a world the emulator loads and serves", async () => {
    const input = generateEstate({ accounts: 200, total: 5000 });
    expect(input.regions).toEqual(DEFAULT_REGIONS);
    const total = input.accounts.reduce(
      (sum, account) => sum + countEstateResources(account.resources as GeneratedResources),
      0,
    );
    expect(total).toBe(5000);
    const world = buildWorld(input);
    expect(world.accounts.size).toBe(200);
    const emulator = await startEmulator({ world });
    try {
      const ec2 = new EC2Client({
        endpoint: emulator.url,
        region: "us-east-1",
        credentials: ESTATE_KEYS,
      });
      const reservations = (await ec2.send(new DescribeInstancesCommand({}))).Reservations ?? [];
      // 2 resources in each of the first account's regions: a VPC and a subnet, no instance.
      expect(reservations).toEqual([]);
    } finally {
      await emulator.close();
    }
  });
});
