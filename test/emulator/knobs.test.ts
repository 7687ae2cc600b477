import { DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { ListClustersCommand, ECSClient } from "@aws-sdk/client-ecs";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterEach, beforeAll, afterAll, describe, expect, it } from "vitest";
import { startEmulator, type CallCounters, type Emulator } from "../../emulator/index.js";
import { KEYS, MAIN, testWorld } from "./test-world.js";

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ world: testWorld() });
});
afterAll(async () => {
  await emulator.close();
});
afterEach(async () => {
  emulator.setKnobs({ throttle: undefined, faultRate: 0, latencyMs: 0 });
  await fetch(`${emulator.url}/_emulator/reset`, { method: "POST" });
});

async function calls(): Promise<CallCounters> {
  return (await (await fetch(`${emulator.url}/_emulator/calls`)).json()) as CallCounters;
}

describe("knobs", () => {
  it("throttles per (account, region, API) with RequestLimitExceeded, which the SDK's retries absorb", async () => {
    emulator.setKnobs({ throttle: { ratePerSecond: 20, burst: 2 } });
    const ec2 = new EC2Client({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials: KEYS.reader,
      maxAttempts: 8,
    });
    const results = await Promise.all(
      Array.from({ length: 6 }, () => ec2.send(new DescribeVpcsCommand({}))),
    );
    expect(results.every((r) => r.Vpcs?.length === 1)).toBe(true);
    expect(results.some((r) => (r.$metadata.attempts ?? 1) > 1)).toBe(true);
    const counters = await calls();
    expect(counters.throttles).toBeGreaterThan(0);
    expect(counters.byOperation["ec2:DescribeVpcs"]).toBe(6 + counters.throttles);
  });

  it("answers a throttled call without retries with the service's own throttling code", async () => {
    emulator.setKnobs({ throttle: { ratePerSecond: 0.001, burst: 1 } });
    const ec2 = new EC2Client({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials: KEYS.reader,
      maxAttempts: 1,
    });
    await ec2.send(new DescribeVpcsCommand({}));
    await expect(ec2.send(new DescribeVpcsCommand({}))).rejects.toMatchObject({
      name: "RequestLimitExceeded",
      $metadata: { httpStatusCode: 503 },
    });
    const ecs = new ECSClient({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials: KEYS.reader,
      maxAttempts: 1,
    });
    await ecs.send(new ListClustersCommand({}));
    await expect(ecs.send(new ListClustersCommand({}))).rejects.toMatchObject({
      name: "ThrottlingException",
    });
    // Another region has its own bucket.
    await expect(
      new EC2Client({
        endpoint: emulator.url,
        region: "eu-west-1",
        credentials: KEYS.reader,
        maxAttempts: 1,
      }).send(new DescribeVpcsCommand({})),
    ).resolves.toBeDefined();
  });

  it("injects 5xx faults at the configured rate", async () => {
    emulator.setKnobs({ faultRate: 1 });
    const sts = new STSClient({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials: KEYS.reader,
      maxAttempts: 1,
    });
    await expect(sts.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 500 },
    });
    expect((await calls()).faults).toBe(1);
  });

  it("adds latency per service", async () => {
    emulator.setKnobs({ latencyMs: { sts: 150, default: 0 } });
    const sts = new STSClient({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials: KEYS.reader,
    });
    const started = performance.now();
    await sts.send(new GetCallerIdentityCommand({}));
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
    const ec2 = new EC2Client({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials: KEYS.reader,
    });
    await ec2.send(new DescribeVpcsCommand({}));
    const fast = performance.now();
    await ec2.send(new DescribeVpcsCommand({}));
    expect(performance.now() - fast).toBeLessThan(140);
  });
});

describe("counters", () => {
  it("count calls by service, operation, account and caller, denials and connections, and reset", async () => {
    const sts = new STSClient({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials: KEYS.reader,
    });
    await sts.send(new GetCallerIdentityCommand({}));
    await sts.send(new GetCallerIdentityCommand({}));
    await new EC2Client({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials: KEYS.nobody,
      maxAttempts: 1,
    })
      .send(new DescribeVpcsCommand({}))
      .catch(() => undefined);
    const counters = await calls();
    expect(counters).toMatchObject({
      total: 3,
      byService: { sts: 2, ec2: 1 },
      byOperation: { "sts:GetCallerIdentity": 2, "ec2:DescribeVpcs": 1 },
      byAccount: { [MAIN]: 3 },
      byCaller: {
        [`arn:aws:iam::${MAIN}:user/reader`]: 2,
        [`arn:aws:iam::${MAIN}:user/nobody`]: 1,
      },
      denials: 1,
    });
    expect(counters.connections).toBeGreaterThanOrEqual(1);
    expect((await fetch(`${emulator.url}/_emulator/reset`, { method: "POST" })).status).toBe(204);
    expect((await calls()).total).toBe(0);
  });
  it("ends a call's time in flight when its client abandons it, not when its latency runs out", async () => {
    emulator.setKnobs({ latencyMs: { ec2: 60_000 } });
    const ec2 = new EC2Client({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials: KEYS.reader,
      maxAttempts: 1,
    });
    const abandon = new AbortController();
    const abandoned = ec2
      .send(new DescribeVpcsCommand({}), { abortSignal: abandon.signal })
      .catch((error: unknown) => error);
    for (let i = 0; ((await calls()).byOperation["ec2:DescribeVpcs"] ?? 0) === 0; i++) {
      if (i > 200) throw new Error("the call never reached the emulator");
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    abandon.abort();
    expect(await abandoned).toMatchObject({ name: "AbortError" });
    // The next call in the same (account, region, service) is the only one in flight.
    emulator.setKnobs({ latencyMs: 0 });
    await ec2.send(new DescribeVpcsCommand({}));
    expect((await calls()).peakInFlight[`${MAIN}|us-east-1|ec2`]).toBe(1);
  });
});
