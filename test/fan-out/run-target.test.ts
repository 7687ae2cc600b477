import { afterAll, beforeAll, expect, it } from "vitest";
import { startEmulator, type Emulator, type WorldInput } from "../../emulator/index.js";
import { authenticateApiToken, type Principal } from "../../src/access/index.js";
import { prepareAction, SdkClientCache, type PreparedAction } from "../../src/actions/index.js";
import type { Actor } from "../../src/connections/index.js";
import {
  chooseTargets,
  forManyCalls,
  KeyedSemaphore,
  runTarget,
  type Limiter,
  type Target,
} from "../../src/fan-out/index.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { useEmulatorAsInstance, useExternalId } from "../helpers/demo-setup.js";
import { ADMIN_TOKEN, createTestApp, type TestApp } from "../helpers/test-app.js";
import { hubAccount, trustingHost } from "../helpers/worlds.js";

const HUB = "200000000000";
const REGIONS = ["us-east-1", "eu-west-1"];
const MEMBERS = 2;
const accountId = (i: number) => String(200000000000 + i);
const EXTERNAL_ID = "sb-fan-out-library-external-id";

function world(): WorldInput {
  return {
    regions: REGIONS,
    accounts: [
      hubAccount(HUB),
      ...Array.from({ length: MEMBERS }, (_, k) => ({
        id: accountId(k + 1),
        name: `lib-member-${k + 1}`,
        roles: [
          {
            name: "switchboard-read",
            trust: trustingHost(HUB, EXTERNAL_ID),
            policies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
          },
        ],
      })),
    ],
  };
}

describeEachDatabase("fan-out library", (suite) => {
  let t: TestApp;
  let emulator: Emulator;
  let restoreEnv: () => void;
  let principal: Principal;
  let prepared: PreparedAction;
  let targets: Target[];

  const actor = (): Actor => ({
    orgId: principal.orgId,
    orgName: principal.orgName,
    userName: principal.userName,
    requestId: "run_fanoutlib01",
    sourceIp: null,
  });
  const deps = () => ({ credentials: t.credentials, clients: new SdkClientCache() });
  const options = (signal: AbortSignal, limiter: Limiter) => ({
    action: prepared.action,
    input: prepared.input,
    access: prepared.access,
    storeOutput: prepared.storeOutput,
    actor: actor(),
    request: { maxItems: undefined, pageSize: undefined },
    signal,
    limiter,
  });

  beforeAll(async () => {
    const db = suite.handle().db;
    t = await createTestApp(db);
    emulator = await startEmulator({ world: world() });
    restoreEnv = useEmulatorAsInstance(emulator.url);
    await t.call("PUT", "/api/v1/settings/outbound", {
      body: { allow: ["*.amazonaws.com", `127.0.0.1:${emulator.port}`] },
    });
    for (let i = 1; i <= MEMBERS; i++) {
      const created = await t.call("POST", "/api/v1/connections", {
        body: {
          name: `lib-member-${i}`,
          method: "assume_role",
          roleArn: `arn:aws:iam::${accountId(i)}:role/switchboard-read`,
          endpoint: emulator.url,
          regions: REGIONS,
          tags: { lib: "fan-out" },
        },
      });
      expect(created.statusCode, created.body).toBe(201);
    }
    await useExternalId(db, EXTERNAL_ID);
    principal = await authenticateApiToken(
      { db, clock: { now: () => new Date() }, publicUrl: "http://t", sessionMaxAgeSeconds: 60 },
      ADMIN_TOKEN,
    );
    prepared = await prepareAction("aws.ec2.describeInstances", {});
    targets = await chooseTargets(
      { db },
      principal,
      { connections: { tag: "lib=fan-out" } },
      {
        access: prepared.access,
        global: prepared.global,
        service: prepared.service,
      },
    );
  });
  afterAll(async () => {
    restoreEnv();
    await t.close();
    await emulator.close();
  });

  it("chooses connections × regions, each target in its account/region/service bucket", () => {
    expect(targets.map((x) => `${x.name} ${x.region} ${x.bucket ?? ""}`).sort()).toEqual(
      [1, 2]
        .flatMap((i) => REGIONS.map((r) => `lib-member-${i} ${r} ${accountId(i)}/${r}/ec2`))
        .sort(),
    );
  });

  it("runs each target once, its output stored", async () => {
    emulator.setKnobs({ latencyMs: 0 });
    emulator.resetCounters();
    const limiter = new KeyedSemaphore(8);
    const signal = forManyCalls(new AbortController().signal);
    const outcomes = await Promise.all(
      targets.map((target) => runTarget(deps(), target, options(signal, limiter))),
    );
    for (const outcome of outcomes) {
      expect(outcome.result.status, JSON.stringify(outcome.result.error)).toBe("succeeded");
      expect(outcome.stored).not.toBeNull();
    }
    expect(emulator.counters().byOperation["ec2:DescribeInstances"]).toBe(4);
  });

  it("honours the limiter: never more calls of one bucket in flight than it allows", async () => {
    // Its own service, so its buckets are its own: the abort test below leaves a call to EC2
    // in flight at the emulator (which answers it two minutes later, client gone or not).
    const ecs = await prepareAction("aws.ecs.listClusters", {});
    const ecsTargets = await chooseTargets(
      { db: suite.handle().db },
      principal,
      { connections: { tag: "lib=fan-out" } },
      { access: ecs.access, global: ecs.global, service: ecs.service },
    );
    emulator.setKnobs({ latencyMs: { ecs: 100 } });
    emulator.resetCounters();
    const inner = new KeyedSemaphore(1);
    const flying = new Map<string, number>();
    const peak = new Map<string, number>();
    const counting: Limiter = {
      run: (key, fn) =>
        inner.run(key, async () => {
          flying.set(key, (flying.get(key) ?? 0) + 1);
          peak.set(key, Math.max(peak.get(key) ?? 0, flying.get(key) ?? 0));
          try {
            return await fn();
          } finally {
            flying.set(key, (flying.get(key) ?? 1) - 1);
          }
        }),
    };
    // Three copies of each target: three calls per bucket ask at once.
    const many = [...ecsTargets, ...ecsTargets, ...ecsTargets];
    const signal = forManyCalls(new AbortController().signal);
    const outcomes = await Promise.all(
      many.map((target) =>
        runTarget(deps(), target, {
          ...options(signal, counting),
          action: ecs.action,
          input: ecs.input,
          access: ecs.access,
          storeOutput: ecs.storeOutput,
        }),
      ),
    );
    expect(outcomes.map((o) => o.result.status)).toEqual(Array(12).fill("succeeded"));
    expect([...peak.values()]).toEqual([1, 1, 1, 1]);
    // The emulator saw the same in each of the four buckets. (Fetching credentials is not a call
    // of a target: the two connections' AssumeRoles may overlap in the hub's STS bucket.)
    const ecsPeaks = Object.entries(emulator.counters().peakInFlight).filter(([bucket]) =>
      bucket.endsWith("|ecs"),
    );
    expect(ecsPeaks.map(([bucket]) => bucket).sort()).toEqual(
      [1, 2].flatMap((i) => REGIONS.map((r) => `${accountId(i)}|${r}|ecs`)).sort(),
    );
    for (const [bucket, n] of ecsPeaks) expect(n, bucket).toBe(1);
  });

  it("an aborted signal abandons the call in flight, and a target after it sends nothing", async () => {
    // Far longer than the test may take: only an abort ends the call.
    emulator.setKnobs({ latencyMs: { ec2: 120_000 } });
    emulator.resetCounters();
    const controller = new AbortController();
    const [first, second] = targets;
    if (first === undefined || second === undefined) throw new Error("two targets expected");
    const limiter = new KeyedSemaphore(8);
    const started = Date.now();
    const inFlight = runTarget(deps(), first, options(controller.signal, limiter));
    while ((emulator.counters().byOperation["ec2:DescribeInstances"] ?? 0) === 0) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    controller.abort();
    const outcome = await inFlight;
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(outcome.cancelled).toEqual({ sent: true });
    expect(outcome.result.status).toBe("failed");
    expect(outcome.result.error?.code).toBe("Cancelled");
    const after = await runTarget(deps(), second, options(controller.signal, limiter));
    expect(after.cancelled).toEqual({ sent: false });
    expect(emulator.counters().byOperation["ec2:DescribeInstances"]).toBe(1);
  });
});
