// The inventory sync (issue #16), side by side with a hand-written AWS SDK v3 script:
//   inventory-sync  a sync of every resource type over 200 accounts × 17 regions of a synthetic
//                   estate (emulator/worlds/generate-estate.ts), 20 ms per AWS request, through
//                   POST /api/v1/inventory/syncs on the server (SQLite, its in-process workers),
//                   against a script that lists the same types in the same (account, region) pairs
//                   with the same limits and stores nothing (goal ≤ 1.3× its wall time).
import { Agent } from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { APIGatewayClient, paginateGetRestApis } from "@aws-sdk/client-api-gateway";
import { ApiGatewayV2Client, GetApisCommand } from "@aws-sdk/client-apigatewayv2";
import { AutoScalingClient, paginateDescribeAutoScalingGroups } from "@aws-sdk/client-auto-scaling";
import { CloudFrontClient, paginateListDistributions } from "@aws-sdk/client-cloudfront";
import { DynamoDBClient, paginateListTables } from "@aws-sdk/client-dynamodb";
import {
  EC2Client,
  paginateDescribeInstances,
  paginateDescribeInternetGateways,
  paginateDescribeNatGateways,
  paginateDescribeRouteTables,
  paginateDescribeSecurityGroups,
  paginateDescribeSubnets,
  paginateDescribeVolumes,
  paginateDescribeVpcs,
} from "@aws-sdk/client-ec2";
import {
  DescribeServicesCommand,
  ECSClient,
  paginateListClusters as paginateListEcsClusters,
  paginateListServices,
} from "@aws-sdk/client-ecs";
import {
  DescribeClusterCommand,
  EKSClient,
  paginateListClusters as paginateListEksClusters,
} from "@aws-sdk/client-eks";
import {
  ElastiCacheClient,
  paginateDescribeCacheClusters,
  paginateDescribeCacheSubnetGroups,
} from "@aws-sdk/client-elasticache";
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  paginateDescribeLoadBalancers,
  paginateDescribeTargetGroups,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { LambdaClient, paginateListFunctions } from "@aws-sdk/client-lambda";
import {
  paginateDescribeDBClusters,
  paginateDescribeDBInstances,
  RDSClient,
} from "@aws-sdk/client-rds";
import { paginateListBuckets, S3Client } from "@aws-sdk/client-s3";
import { paginateListTopics, SNSClient } from "@aws-sdk/client-sns";
import { paginateListQueues, SQSClient } from "@aws-sdk/client-sqs";
import { STSClient } from "@aws-sdk/client-sts";
import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { AwsCredentialIdentity } from "@smithy/types";
import {
  addRegionEstate,
  countEstateResources,
  type GeneratedResources,
} from "../emulator/worlds/generate-estate.js";
import type { WorldInput } from "../emulator/index.js";
import { RESOURCE_TYPES, syncIamActions } from "../src/inventory/index.js";
import { useEmulatorAsInstance } from "../test/helpers/demo-setup.js";
import { hubAccount, trustingHost } from "../test/helpers/worlds.js";
import {
  accountId,
  apiClient,
  assumeRole,
  createConnections,
  draftExternalIds,
  HUB,
  LATENCY_MS,
  limiter,
  mb,
  measured,
  median,
  OVERALL_CONCURRENCY,
  PER_BUCKET_CONCURRENCY,
  REGIONS,
  s,
  verdict,
  waitForRun,
  type HandWritten,
} from "./fan-out-kit.js";
import { spawnEmulator, spawnServer, type EmulatorProcess } from "./processes.js";

const PART = "inventory-sync";
const PARTS = new Set((process.env.BENCH_PARTS ?? PART).split(","));
const ADMIN_TOKEN = "sb_admin_bench_token";
const ACCOUNTS = Number(process.env.BENCH_INVENTORY_ACCOUNTS ?? 200);
/**
 * Resources per (account, region): 42 is one whole application stack of the generator (a VPC
 * with 6 subnets, gateways, route tables, 3 security groups, an ALB with 2 target groups, an Auto
 * Scaling group of 3 instances and their volumes, ECS, Lambda, Aurora, ElastiCache, DynamoDB,
 * SQS, SNS, REST and HTTP APIs, EKS, a bucket and a distribution), so every type's listing
 * finds something and makes its follow-up calls (target health, ECS services, EKS clusters…).
 */
const PER_REGION = Number(process.env.BENCH_INVENTORY_PER_REGION ?? 42);
const ROUNDS = Number(process.env.BENCH_INVENTORY_ROUNDS ?? 3);
// `full` connections, as the actions and engine benches (with `read` the emulator evaluates the
// ReadOnlyAccess session policy for every new session and region, for both sides alike).
const ACCESS = (process.env.BENCH_INVENTORY_ACCESS ?? "full") as "read" | "full";
// The client polls GET /api/v1/runs/ID every 200 ms: the CLI follows a run every 500 ms and the
// web every 1.5 s. Each poll of a big run reads its first 500 targets; at 25 ms the polls alone
// took a third of the server's time. The run's own duration (from its rows) is printed beside.
const POLL_MS = 200;
const GOAL = 1.3;
/** Where Switchboard runs a global type (chooseTargets' default): the script does the same. */
const GLOBAL_REGION = "us-east-1";

const x = (n: number) => `${n.toFixed(2)}×`;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");

/** Hub + members: each member's role trusts the hub's host with its connection's ExternalId. */
function estateWorld(accounts: number, externalIdOf: (account: number) => string): WorldInput {
  const members = Array.from({ length: accounts }, (_, k) => {
    const id = accountId(k + 1);
    const trust = trustingHost(HUB, externalIdOf(k + 1));
    const resources: GeneratedResources = {};
    for (const region of REGIONS)
      addRegionEstate(resources, { accountId: id, region, count: PER_REGION });
    return {
      id,
      name: `member-${k + 1}`,
      roles: [
        {
          name: "switchboard-read",
          trust,
          // What a sync needs (the README's policy), inline: the emulator evaluates a role's
          // policies on every request, and ReadOnlyAccess's thousands of actions would make its
          // evaluation the figure of both sides.
          policies: [
            {
              Version: "2012-10-17",
              Statement: [{ Effect: "Allow", Action: syncIamActions(), Resource: "*" }],
            },
          ],
        },
      ],
      resources,
    };
  });
  return { regions: REGIONS, accounts: [hubAccount(HUB), ...members] };
}

// ---------------------------------------------------------------------------------------------
// The hand-written script: what a careful user writes with the SDK to list the same types.

type Creds = () => Promise<AwsCredentialIdentity>;
type Config = {
  region: string;
  endpoint: string;
  credentials: Creds;
  requestHandler: NodeHttpHandler;
  retryMode: string;
  maxAttempts: number;
};
/** One SDK client per (account, region, service), built on first use, as a script caches them. */
/** A client of the listing's account and region, or of another region of the account. */
type Clients = <C>(make: new (config: Config) => C, region?: string) => C;

async function count<P>(pages: AsyncIterable<P>, pick: (page: P) => unknown[] | undefined) {
  let n = 0;
  for await (const page of pages) n += pick(page)?.length ?? 0;
  return n;
}

/**
 * Per type, the same requests the inventory's type makes (src/inventory/types/): a list, and
 * where the type needs it, the follow-up per item. Answers the number of resources seen.
 */
const LISTINGS: Record<string, { service: string; list: (c: Clients) => Promise<number> }> = {
  "ec2.vpc": {
    service: "ec2",
    list: (c) => count(paginateDescribeVpcs({ client: c(EC2Client) }, {}), (p) => p.Vpcs),
  },
  "ec2.subnet": {
    service: "ec2",
    list: (c) => count(paginateDescribeSubnets({ client: c(EC2Client) }, {}), (p) => p.Subnets),
  },
  "ec2.route-table": {
    service: "ec2",
    list: (c) =>
      count(paginateDescribeRouteTables({ client: c(EC2Client) }, {}), (p) => p.RouteTables),
  },
  "ec2.internet-gateway": {
    service: "ec2",
    list: (c) =>
      count(
        paginateDescribeInternetGateways({ client: c(EC2Client) }, {}),
        (p) => p.InternetGateways,
      ),
  },
  "ec2.nat-gateway": {
    service: "ec2",
    list: (c) =>
      count(paginateDescribeNatGateways({ client: c(EC2Client) }, {}), (p) => p.NatGateways),
  },
  "ec2.security-group": {
    service: "ec2",
    list: (c) =>
      count(paginateDescribeSecurityGroups({ client: c(EC2Client) }, {}), (p) => p.SecurityGroups),
  },
  "ec2.instance": {
    service: "ec2",
    list: (c) =>
      count(paginateDescribeInstances({ client: c(EC2Client) }, {}), (p) =>
        p.Reservations?.flatMap((r) => r.Instances ?? []),
      ),
  },
  "ec2.volume": {
    service: "ec2",
    list: (c) => count(paginateDescribeVolumes({ client: c(EC2Client) }, {}), (p) => p.Volumes),
  },
  "elbv2.load-balancer": {
    service: "elastic-load-balancing-v2",
    list: (c) =>
      count(
        paginateDescribeLoadBalancers({ client: c(ElasticLoadBalancingV2Client) }, {}),
        (p) => p.LoadBalancers,
      ),
  },
  "elbv2.target-group": {
    service: "elastic-load-balancing-v2",
    list: async (c) => {
      const client = c(ElasticLoadBalancingV2Client);
      let n = 0;
      for await (const page of paginateDescribeTargetGroups({ client }, {}))
        for (const group of page.TargetGroups ?? []) {
          await client.send(
            new DescribeTargetHealthCommand({ TargetGroupArn: group.TargetGroupArn }),
          );
          n += 1;
        }
      return n;
    },
  },
  "autoscaling.group": {
    service: "auto-scaling",
    list: (c) =>
      count(
        paginateDescribeAutoScalingGroups({ client: c(AutoScalingClient) }, {}),
        (p) => p.AutoScalingGroups,
      ),
  },
  "ecs.cluster": {
    service: "ecs",
    list: (c) => count(paginateListEcsClusters({ client: c(ECSClient) }, {}), (p) => p.clusterArns),
  },
  "ecs.service": {
    service: "ecs",
    list: async (c) => {
      const client = c(ECSClient);
      let n = 0;
      for await (const page of paginateListEcsClusters({ client }, {}))
        for (const cluster of page.clusterArns ?? []) {
          const arns: string[] = [];
          for await (const services of paginateListServices({ client }, { cluster }))
            arns.push(...(services.serviceArns ?? []));
          for (let i = 0; i < arns.length; i += 10) {
            const answer = await client.send(
              new DescribeServicesCommand({ cluster, services: arns.slice(i, i + 10) }),
            );
            n += answer.services?.length ?? 0;
          }
        }
      return n;
    },
  },
  "eks.cluster": {
    service: "eks",
    list: async (c) => {
      const client = c(EKSClient);
      let n = 0;
      for await (const page of paginateListEksClusters({ client }, {}))
        for (const name of page.clusters ?? []) {
          await client.send(new DescribeClusterCommand({ name }));
          n += 1;
        }
      return n;
    },
  },
  "lambda.function": {
    service: "lambda",
    list: (c) => count(paginateListFunctions({ client: c(LambdaClient) }, {}), (p) => p.Functions),
  },
  "rds.instance": {
    service: "rds",
    list: (c) =>
      count(paginateDescribeDBInstances({ client: c(RDSClient) }, {}), (p) => p.DBInstances),
  },
  "rds.cluster": {
    service: "rds",
    list: (c) =>
      count(paginateDescribeDBClusters({ client: c(RDSClient) }, {}), (p) => p.DBClusters),
  },
  "dynamodb.table": {
    service: "dynamodb",
    list: (c) => count(paginateListTables({ client: c(DynamoDBClient) }, {}), (p) => p.TableNames),
  },
  "s3.bucket": {
    service: "s3",
    list: (c) => count(paginateListBuckets({ client: c(S3Client) }, {}), (p) => p.Buckets),
  },
  "cloudfront.distribution": {
    service: "cloudfront",
    list: async (c) => {
      const items = [];
      for await (const page of paginateListDistributions({ client: c(CloudFrontClient) }, {}))
        items.push(...(page.DistributionList?.Items ?? []));
      // Origins that are a load balancer: their ARNs come from DescribeLoadBalancers in the region
      // each DNS name names (NAME-ID.REGION.elb.amazonaws.com).
      const regions = new Set(
        items.flatMap((d) =>
          (d.Origins?.Items ?? []).flatMap(
            (o) => /\.([a-z0-9-]+)\.elb\.amazonaws\.com$/.exec(o.DomainName ?? "")?.[1] ?? [],
          ),
        ),
      );
      for (const region of regions)
        await count(
          paginateDescribeLoadBalancers({ client: c(ElasticLoadBalancingV2Client, region) }, {}),
          (p) => p.LoadBalancers,
        );
      return items.length;
    },
  },
  "apigateway.rest-api": {
    service: "api-gateway",
    list: (c) => count(paginateGetRestApis({ client: c(APIGatewayClient) }, {}), (p) => p.items),
  },
  "apigateway.http-api": {
    service: "apigatewayv2",
    list: async (c) => {
      const client = c(ApiGatewayV2Client);
      let n = 0;
      let token: string | undefined;
      do {
        const page = await client.send(new GetApisCommand({ NextToken: token }));
        n += page.Items?.length ?? 0;
        token = page.NextToken;
      } while (token !== undefined && token !== "");
      return n;
    },
  },
  "sqs.queue": {
    service: "sqs",
    list: (c) => count(paginateListQueues({ client: c(SQSClient) }, {}), (p) => p.QueueUrls),
  },
  "sns.topic": {
    service: "sns",
    list: (c) => count(paginateListTopics({ client: c(SNSClient) }, {}), (p) => p.Topics),
  },
  "elasticache.cluster": {
    service: "elasticache",
    list: async (c) => {
      const client = c(ElastiCacheClient);
      const n = await count(paginateDescribeCacheClusters({ client }, {}), (p) => p.CacheClusters);
      if (n > 0)
        await count(paginateDescribeCacheSubnetGroups({ client }, {}), (p) => p.CacheSubnetGroups);
      return n;
    },
  },
};

/**
 * AssumeRole once per account (cached), one client per (account, region, service), 64 listings
 * in flight overall and at most 8 per (account, region, service), a global type once per account
 * in us-east-1: Switchboard's limits. Each listing is one target's work; nothing is stored.
 */
async function handWrittenSync(
  h: HandWritten,
  accounts: number,
): Promise<{ listings: number; resources: number; failed: number }> {
  const overall = limiter(OVERALL_CONCURRENCY);
  const buckets = new Map<string, ReturnType<typeof limiter>>();
  const credentials = new Map<number, Promise<AwsCredentialIdentity>>();
  const clients = new Map<string, unknown>();
  const runTag = Date.now().toString(36);
  const credentialsOf = (account: number) => {
    let cached = credentials.get(account);
    if (cached === undefined) {
      cached = assumeRole(h, account, `script-${runTag}-${account}`, ACCESS);
      credentials.set(account, cached);
    }
    return cached;
  };
  const work: { account: number; region: string; type: string; service: string }[] = [];
  for (let account = 1; account <= accounts; account++)
    for (const type of RESOURCE_TYPES) {
      const listing = LISTINGS[type.type];
      if (listing === undefined) throw new Error(`the script has no listing for ${type.type}`);
      for (const region of type.global ? [GLOBAL_REGION] : REGIONS)
        work.push({ account, region, type: type.type, service: listing.service });
    }
  let resources = 0;
  let failed = 0;
  await Promise.all(
    work.map(async ({ account, region, type, service }) => {
      const key = `${account}/${region}/${service}`;
      let bucket = buckets.get(key);
      if (bucket === undefined) {
        bucket = limiter(PER_BUCKET_CONCURRENCY);
        buckets.set(key, bucket);
      }
      const limit = bucket;
      const clientsOf: Clients = (make, at = region) => {
        const id = `${account}/${at}/${make.name}`;
        let client = clients.get(id);
        if (client === undefined) {
          client = new make({
            region: at,
            endpoint: h.endpoint,
            credentials: () => credentialsOf(account),
            requestHandler: h.requestHandler,
            retryMode: "standard",
            maxAttempts: 3,
          });
          clients.set(id, client);
        }
        return client as InstanceType<typeof make>;
      };
      try {
        const seen = await overall(() =>
          limit(() => LISTINGS[type]?.list(clientsOf) ?? Promise.resolve(0)),
        );
        resources += seen;
      } catch {
        failed += 1;
      }
    }),
  );
  for (const client of clients.values()) (client as { destroy(): void }).destroy();
  return { listings: work.length, resources, failed };
}

// ---------------------------------------------------------------------------------------------
// Switchboard's side: a sync through the API, followed as a client would.

interface Counted {
  requests: number;
  assumeRoles: number;
  byService: Record<string, number>;
  /** The emulator's CPU while it answered them. */
  emulatorCpuMs: number;
}

const cpuMsOf = (c: { user: number; system: number }) => (c.user + c.system) / 1000;

/** Zeroes the emulator's counters; the returned function reads what was counted since. */
async function counting(emulator: EmulatorProcess): Promise<() => Promise<Counted>> {
  await emulator.resetCounters();
  const before = cpuMsOf((await emulator.counters()).processCpuMicros);
  return async () => {
    const c = await emulator.counters();
    return {
      requests: c.total,
      assumeRoles: c.byOperation["sts:AssumeRole"] ?? 0,
      byService: c.byService,
      emulatorCpuMs: cpuMsOf(c.processCpuMicros) - before,
    };
  };
}

export async function run(): Promise<void> {
  if (!PARTS.has(PART)) return;
  const dir = mkdtempSync(join(tmpdir(), "switchboard-bench-inventory-"));
  process.stdout.write(
    `parts: ${PART}; load average ${load()} on this ${availableParallelism()}-core machine before the bench (wall times move with it)\n`,
  );
  const setupStarted = performance.now();
  const server = await spawnServer(ADMIN_TOKEN);
  const api = apiClient(server.url, ADMIN_TOKEN);
  let emulator: EmulatorProcess | undefined;
  let restore = () => undefined as void;
  const requestHandler = new NodeHttpHandler({
    httpAgent: new Agent({ keepAlive: true, maxSockets: OVERALL_CONCURRENCY }),
  });
  let sts: STSClient | undefined;
  try {
    const names = Array.from({ length: ACCOUNTS }, (_, k) => [`member-${k + 1}`, k + 1] as const);
    const externalIds = await draftExternalIds(api, names);
    const externalIdOf = (account: number) => externalIds.get(`member-${account}`) ?? "";
    const world = estateWorld(ACCOUNTS, externalIdOf);
    const expected = world.accounts.reduce(
      (sum, a) => sum + countEstateResources((a.resources ?? {}) as GeneratedResources),
      0,
    );
    const worldFile = join(dir, "estate.json");
    writeFileSync(worldFile, JSON.stringify(world));
    const e = await spawnEmulator(worldFile);
    emulator = e;
    restore = useEmulatorAsInstance(emulator.url);
    await server.useEmulator(emulator.url);
    const outbound = await api.call("PUT", "/api/v1/settings/outbound", {
      allow: ["*.amazonaws.com", `127.0.0.1:${emulator.port}`],
    });
    if (outbound.status >= 300) throw new Error(`outbound: ${outbound.body}`);
    const connectionIds = await createConnections(api, emulator, externalIds, {
      accounts: ACCOUNTS,
      access: ACCESS,
    });
    // Tested, as a user does after creating a connection: each knows its account from then on.
    for (const [name] of names) {
      const tested = await api.post(`/api/v1/connections/${name}/test`, {});
      if (tested.status !== 200 || !(JSON.parse(tested.body) as { ok: boolean }).ok)
        throw new Error(`testing ${name}: ${tested.status} ${tested.body}`);
    }
    sts = new STSClient({
      region: GLOBAL_REGION,
      endpoint: emulator.url,
      credentials: fromNodeProviderChain(),
      requestHandler,
    });
    const h: HandWritten = { requestHandler, sts, externalIdOf, endpoint: emulator.url };
    await emulator.setKnobs({ latencyMs: LATENCY_MS });
    const regional = RESOURCE_TYPES.filter((t) => !t.global).length;
    const targets = ACCOUNTS * (regional * REGIONS.length + (RESOURCE_TYPES.length - regional));
    process.stdout.write(
      `setup: a synthetic estate of ${ACCOUNTS} accounts × ${REGIONS.length} regions, ${PER_REGION} resources per (account, region) (${expected} in all, of ${RESOURCE_TYPES.length} types), ${ACCOUNTS} ${ACCESS} connections created and tested through the API in ${s(performance.now() - setupStarted)}; load average ${load()}\n`,
    );

    const sync = async () => {
      await server.forgetCredentials(connectionIds);
      const counted = await counting(e);
      await server.measureStart();
      const t0 = performance.now();
      const started = await api.post("/api/v1/inventory/syncs", {
        connections: "*",
        regions: "*",
      });
      if (started.status !== 202)
        throw new Error(`starting a sync: ${started.status} ${started.body}`);
      const id = (JSON.parse(started.body) as { id: string }).id;
      const runView = await waitForRun(api, id, POLL_MS);
      const wallMs = performance.now() - t0;
      const measure = await server.measureStop();
      // With BENCH_COUNT_QUERIES=1, the statements the server sent, most frequent first.
      if (process.env.BENCH_DEBUG !== undefined)
        process.stdout.write(`${JSON.stringify(measure)}\n`);
      if (runView.status !== "succeeded" || runView.summary?.succeeded !== targets)
        throw new Error(`sync ${id}: ${runView.status}, ${JSON.stringify(runView.summary)}`);
      return { wallMs, runMs: runView.durationMs ?? Number.NaN, measure, counted: await counted() };
    };
    const script = async () => {
      const counted = await counting(e);
      const m = await measured(() => handWrittenSync(h, ACCOUNTS));
      if (m.value.failed > 0) throw new Error(`${m.value.failed} script listings failed`);
      if (m.value.resources < expected)
        throw new Error(`the script saw ${m.value.resources} resources of ${expected}`);
      return { ...m, counted: await counted() };
    };

    // Warm-up (JIT, SDK clients, sockets; the first sync also inserts every resource, the later
    // ones only see them again), then rounds: the script, then the sync.
    const coldScript = await script();
    const coldSync = await sync();
    process.stdout.write(
      `warm-up: script ${s(coldScript.wallMs)}, sync ${s(coldSync.wallMs)} (first sync: every resource inserted); load average ${load()}\n`,
    );
    const scripts: Awaited<ReturnType<typeof script>>[] = [];
    const syncs: Awaited<ReturnType<typeof sync>>[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      scripts.push(await script());
      syncs.push(await sync());
    }
    const scriptMs = median(scripts.map((r) => r.wallMs));
    const syncMs = median(syncs.map((r) => r.wallMs));
    const ratio = syncMs / scriptMs;
    const sample = (c: Counted) =>
      `${c.requests} AWS requests (${c.assumeRoles} sts:AssumeRole), emulator CPU ${s(c.emulatorCpuMs)}`;
    process.stdout.write(
      `inventory sync of ${ACCOUNTS} accounts × ${REGIONS.length} regions, ${RESOURCE_TYPES.length} types (${targets} listings: each regional type per region, S3 and CloudFront once per account), ${LATENCY_MS} ms per AWS request, ${ACCESS} connections; median of ${ROUNDS} rounds after a warm-up, each round the script then the sync, both starting without credentials:\n` +
        `  hand-written SDK v3 script (AssumeRole once per account, a client per account + region + service, ${OVERALL_CONCURRENCY} listings in flight, ${PER_BUCKET_CONCURRENCY} per account + region + service; stores nothing): ${s(scriptMs)} wall (rounds: ${scripts.map((r) => s(r.wallMs)).join(", ")}); CPU ${s(median(scripts.map((r) => r.cpuMs)))}; ${sample(scripts[0]?.counted ?? coldScript.counted)}; ${scripts[0]?.value.resources ?? 0} resources seen\n` +
        `  Switchboard, POST /api/v1/inventory/syncs {connections: "*", regions: "*"} until GET /api/v1/runs/ID says finished (SQLite, in-process workers): ${s(syncMs)} wall (rounds: ${syncs.map((r) => s(r.wallMs)).join(", ")}; the run's own duration ${s(median(syncs.map((r) => r.runMs)))}); server CPU ${s(median(syncs.map((r) => r.measure.cpuMs)))}; peak RSS ${mb(Math.max(...syncs.map((r) => r.measure.peakRss)))}; ${sample(syncs[0]?.counted ?? coldSync.counted)}\n` +
        `  ratio ${x(ratio)} (goal ≤ ${GOAL}×: ${verdict(ratio <= GOAL)})\n` +
        `  requests by service, script / sync: ${Object.keys({
          ...scripts[0]?.counted.byService,
          ...syncs[0]?.counted.byService,
        })
          .sort()
          .map(
            (k) =>
              `${k} ${scripts[0]?.counted.byService[k] ?? 0}/${syncs[0]?.counted.byService[k] ?? 0}`,
          )
          .join(", ")}\n` +
        `load average after the rounds: ${load()}\n`,
    );
  } finally {
    sts?.destroy();
    requestHandler.destroy();
    api.close();
    restore();
    await emulator?.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
