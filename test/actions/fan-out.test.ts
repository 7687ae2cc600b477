import { afterAll, beforeAll, expect, it } from "vitest";
import { startEmulator, type Emulator, type WorldInput } from "../../emulator/index.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { useEmulatorAsInstance, useExternalId } from "../helpers/demo-setup.js";
import { hubAccount, trustingHost } from "../helpers/worlds.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

const HUB = "100000000000";
const REGIONS = ["us-east-1", "eu-west-1", "us-west-2"];
const accountId = (i: number) => String(100000000000 + i);
const DENYING = [accountId(19), accountId(20)];
const THROTTLED = accountId(17);
// The roles trust one ExternalId; each connection gets it once created.
const EXTERNAL_ID = "sb-fan-out-external-id";

function world(externalId: string): WorldInput {
  const members = Array.from({ length: 20 }, (_, k) => {
    const id = accountId(k + 1);
    return {
      id,
      name: `member-${k + 1}`,
      roles: [
        {
          name: "switchboard-read",
          trust: trustingHost(HUB, externalId),
          // Two accounts whose role may not describe EC2.
          policies: DENYING.includes(id)
            ? [
                {
                  Version: "2012-10-17",
                  Statement: [{ Effect: "Allow", Action: "s3:ListAllMyBuckets", Resource: "*" }],
                },
              ]
            : ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
        },
      ],
      resources: {
        // Bucket names are account-wide, but each bucket lives in one region: these in eu-west-1.
        global: {
          s3: {
            Buckets: [
              {
                Name: `archive-${id}`,
                CreationDate: "2025-06-01T00:00:00Z",
                BucketRegion: "eu-west-1",
                Policy: {
                  Version: "2012-10-17",
                  Statement: [
                    { Effect: "Deny", Principal: "*", Action: "s3:DeleteBucket", Resource: "*" },
                  ],
                },
              },
            ],
          },
        },
        ...Object.fromEntries(
          REGIONS.map((region) => [
            region,
            {
              ec2: {
                Instances: [
                  {
                    InstanceId: `i-${id}${region.length}`,
                    InstanceType: "t3.micro",
                    State: { Code: 16, Name: "running" },
                  },
                ],
              },
            },
          ]),
        ),
      },
    };
  });
  return {
    regions: REGIONS,
    accounts: [hubAccount(HUB), ...members],
  };
}

interface FanOut {
  run: { id: string; status: string };
  summary: { total: number; succeeded: number; failed: number; refused: number; skipped: number };
  results: {
    connection: string;
    region: string;
    status: string;
    error?: { code: string; message: string };
    awsSession?: string;
  }[];
}

describeEachDatabase("fan-out over 20 accounts × 3 regions", (suite) => {
  let t: TestApp;
  let emulator: Emulator;
  let restoreEnv: () => void;

  beforeAll(async () => {
    t = await createTestApp(suite.handle().db);
    emulator = await startEmulator({
      world: world(EXTERNAL_ID),
      knobs: {
        throttle: { ratePerSecond: 0.001, burst: 0, services: ["ec2"], accounts: [THROTTLED] },
      },
    });
    restoreEnv = useEmulatorAsInstance(emulator.url);
    await t.call("PUT", "/api/v1/settings/outbound", {
      body: { allow: ["*.amazonaws.com", `127.0.0.1:${emulator.port}`] },
    });
    for (let i = 1; i <= 20; i++) {
      const created = await t.call("POST", "/api/v1/connections", {
        body: {
          name: `member-${i}`,
          method: "assume_role",
          roleArn: `arn:aws:iam::${accountId(i)}:role/switchboard-read`,
          endpoint: emulator.url,
          regions: REGIONS,
          tags: { env: i % 2 === 0 ? "prod" : "dev" },
        },
      });
      expect(created.statusCode, created.body).toBe(201);
    }
    await useExternalId(suite.handle().db, EXTERNAL_ID);
  });
  afterAll(async () => {
    restoreEnv();
    await t.close();
    await emulator.close();
  });

  // Forgets every connection's cached credentials, as an ExternalId rotation does: a test that
  // counts AssumeRole calls or reads a session name starts cold, whichever tests ran before it.
  async function forgetCredentials(): Promise<void> {
    const ids = (await t.call("GET", "/api/v1/connections"))
      .json<{ items: { id: string }[] }>()
      .items.map((c) => c.id);
    for (const id of ids) t.credentials.cache.forget(id);
  }

  it("returns 60 results with the right statuses, and assumes each role once", async () => {
    await forgetCredentials();
    emulator.resetCounters();
    const response = await t.call("POST", "/api/v1/actions/aws.ec2.describeInstances/run", {
      body: { connections: "*", regions: REGIONS, input: {} },
    });
    expect(response.statusCode, response.body).toBe(200);
    const fanOut = response.json<FanOut>();
    expect(fanOut.results).toHaveLength(60);
    expect(fanOut.summary).toEqual({
      total: 60,
      succeeded: 51,
      failed: 9,
      refused: 0,
      skipped: 0,
      unknown: 0,
      cancelled: 0,
    });
    expect(fanOut.run.status).toBe("partial");
    const byConnection = (name: string) => fanOut.results.filter((r) => r.connection === name);
    for (const r of [...byConnection("member-19"), ...byConnection("member-20")]) {
      expect(r.status).toBe("failed");
      expect(r.error?.code).toBe("UnauthorizedOperation");
    }
    for (const r of byConnection("member-17")) {
      expect(r.status).toBe("failed");
      expect(r.error?.code).toBe("RequestLimitExceeded");
    }
    expect(byConnection("member-1").map((r) => r.status)).toEqual([
      "succeeded",
      "succeeded",
      "succeeded",
    ]);
    expect(emulator.counters().byOperation["sts:AssumeRole"]).toBe(20);
    expect(emulator.counters().throttles).toBeGreaterThanOrEqual(3);

    // Each target names the role session AWS logged its calls under, as CloudTrail shows it.
    const firstSession = `sb-admin-run_${fanOut.run.id.slice(-12)}`;
    expect(byConnection("member-1").map((r) => r.awsSession)).toEqual([
      firstSession,
      firstSession,
      firstSession,
    ]);
    const stored = (await t.call("GET", `/api/v1/runs/${fanOut.run.id}`)).json<FanOut>();
    expect(stored.results.find((r) => r.connection === "member-19")?.awsSession).toBe(firstSession);

    // A second run reuses the cached credentials and SDK clients: no AssumeRole at all, and its
    // calls are in the first run's session, which is what it says.
    emulator.resetCounters();
    const reused = (
      await t.call("POST", "/api/v1/actions/aws.sts.getCallerIdentity/run", {
        body: { connections: "*", regions: ["us-east-1"], input: {} },
      })
    ).json<{ results: (FanOut["results"][number] & { output?: { Arn?: string } })[] }>();
    expect(emulator.counters().byOperation["sts:AssumeRole"] ?? 0).toBe(0);
    const member1 = reused.results.find((r) => r.connection === "member-1");
    expect(member1?.awsSession).toBe(firstSession);
    expect(member1?.output?.Arn).toBe(
      `arn:aws:sts::${accountId(1)}:assumed-role/switchboard-read/${firstSession}`,
    );
    // …until the credentials are forgotten (an ExternalId rotation does that): then once per connection again.
    await forgetCredentials();
    emulator.resetCounters();
    const again = (
      await t.call("POST", "/api/v1/actions/aws.sts.getCallerIdentity/run", {
        body: { connections: "*", regions: ["us-east-1"], input: {} },
      })
    ).json<FanOut>();
    expect(emulator.counters().byOperation["sts:AssumeRole"]).toBe(20);
    // The SDK clients are the same ones, but the new sessions are named after this run.
    const sessions = Object.keys(emulator.counters().byCaller).filter((arn) =>
      /:assumed-role\/[^/]+\/sb-/.test(arn),
    );
    expect(sessions).toHaveLength(20);
    for (const arn of sessions) expect(arn).toContain(`run_${again.run.id.slice(-12)}`);
    expect(new Set(again.results.map((r) => r.awsSession))).toEqual(
      new Set([`sb-admin-run_${again.run.id.slice(-12)}`]),
    );
  });

  it("selects connections by tag, and runs a global action once per account", async () => {
    const tagged = (
      await t.call("POST", "/api/v1/actions/aws.sts.getCallerIdentity/run", {
        body: { connections: { tag: "env=prod" }, regions: ["eu-west-1"], input: {} },
      })
    ).json<FanOut>();
    expect(tagged.results).toHaveLength(10);
    expect(new Set(tagged.results.map((r) => r.connection))).toEqual(
      new Set(Array.from({ length: 10 }, (_, k) => `member-${(k + 1) * 2}`)),
    );
    const global = (
      await t.call("POST", "/api/v1/actions/aws.s3.listBuckets/run", {
        body: { connections: ["member-1", "member-2", "nope"], input: {} },
      })
    ).json<FanOut>();
    expect(global.results.map((r) => [r.connection, r.region, r.status])).toEqual([
      ["nope", "-", "refused"],
      ["member-1", "us-east-1", "succeeded"],
      ["member-2", "us-east-1", "succeeded"],
    ]);
  });

  it("calls a global service once per account whatever the regions, and follows a bucket to its region", async () => {
    emulator.resetCounters();
    // IAM's endpoint rules send every region to one endpoint: once per account, also via aws.call.
    const roles = (
      await t.call("POST", "/api/v1/actions/aws.call/run", {
        body: {
          connections: ["member-1", "member-2"],
          regions: "*",
          input: { service: "iam", operation: "ListRoles" },
        },
      })
    ).json<FanOut>();
    expect(roles.results.map((r) => [r.connection, r.region, r.status])).toEqual([
      ["member-1", "us-east-1", "succeeded"],
      ["member-2", "us-east-1", "succeeded"],
    ]);
    expect(emulator.counters().byOperation["iam:ListRoles"]).toBe(2);

    // S3 too: the call starts in us-east-1, S3 answers 301 with the bucket's region, and the
    // client resends it to eu-west-1, so one target per account gets the policy.
    emulator.resetCounters();
    const policy = (
      await t.call("POST", "/api/v1/actions/aws.s3.getBucketPolicy/run", {
        body: {
          connections: ["member-1"],
          regions: "*",
          input: { Bucket: `archive-${accountId(1)}` },
        },
      })
    ).json<FanOut & { results: { output?: unknown }[] }>();
    expect(policy.results).toMatchObject([
      {
        connection: "member-1",
        region: "us-east-1",
        status: "succeeded",
        output: { Policy: { Statement: [{ Action: "s3:DeleteBucket" }] } },
      },
    ]);
    expect(emulator.counters().byOperation["s3:GetBucketPolicy"]).toBe(2);

    // A service that is not installed is refused before any target runs.
    const unknown = await t.call("POST", "/api/v1/actions/aws.call/run", {
      body: {
        connections: "*",
        regions: "*",
        input: { service: "lightsail", operation: "GetInstances" },
      },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json<{ error: { field: string; message: string } }>().error).toMatchObject({
      field: "input.service",
      message: expect.stringMatching(
        /^no AWS SDK client for service "lightsail" is installed with this Switchboard/,
      ) as unknown,
    });
  });

  it("bounds calls per account, region and service across concurrent runs, not per run", async () => {
    emulator.resetCounters();
    emulator.setKnobs({ latencyMs: 400 });
    try {
      // Twelve runs at once on one connection and region: each alone is within the bound of 8.
      const runs = await Promise.all(
        Array.from({ length: 12 }, () =>
          t.call("POST", "/api/v1/actions/aws.ec2.describeVpcs/run", {
            body: { connection: "member-3", region: "eu-west-1", input: {} },
          }),
        ),
      );
      expect(runs.map((r) => r.statusCode)).toEqual(Array.from({ length: 12 }, () => 200));
      // Twelve calls at once in one bucket: never more than 8 in flight (how close to 8 the
      // queue gets depends on how its workers fetch), and more than one (they did overlap).
      const peak = emulator.counters().peakInFlight[`${accountId(3)}|eu-west-1|ec2`] ?? 0;
      expect(peak).toBeLessThanOrEqual(8);
      expect(peak).toBeGreaterThan(1);
    } finally {
      emulator.setKnobs({ latencyMs: 0 });
    }
  });

  it("streams one line per target as it finishes, then the summary", async () => {
    const response = await t.call(
      "POST",
      "/api/v1/actions/aws.sts.getCallerIdentity/run?stream=true",
      {
        body: {
          connections: ["member-3", "member-4"],
          regions: ["us-east-1", "us-west-2"],
          input: {},
        },
      },
    );
    expect(response.headers["content-type"]).toMatch(/application\/x-ndjson/);
    const lines = response.body
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { result?: { status: string }; summary?: { total: number } });
    expect(lines.filter((l) => l.result !== undefined)).toHaveLength(4);
    expect(lines.at(-1)?.summary?.total).toBe(4);
  });

  it("refuses a streamed run that fails its checks with the error status, before any line", async () => {
    const bad = await t.call("POST", "/api/v1/actions/aws.ecs.describeClusters/run?stream=true", {
      body: { connections: "*", input: { clusters: "web" } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers["content-type"]).toMatch(/application\/json/);
    expect(bad.json<{ error: { field: string } }>().error.field).toBe("input.clusters");
  });

  it("refuses a selection that matches no connection, naming it", async () => {
    const response = await t.call("POST", "/api/v1/actions/aws.sts.getCallerIdentity/run", {
      body: { connections: { tag: "env=nowhere" }, input: {} },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: { field: string; message: string } }>().error).toMatchObject({
      field: "connections",
      message: "no connection you may execute has tag env=nowhere",
    });
    expect(
      (await t.call("GET", "/api/v1/runs")).json<{ items: { actionId: string }[] }>().items,
    ).not.toContainEqual(
      expect.objectContaining({ actionId: "aws.sts.getCallerIdentity", targetCount: 0 }),
    );
  });

  it("runs a global action through the one connection of an account that allows it, and says so for the others", async () => {
    const view = await t.call("POST", "/api/v1/connections", {
      body: {
        name: "member-1-view",
        method: "assume_role",
        roleArn: `arn:aws:iam::${accountId(1)}:role/switchboard-read`,
        endpoint: emulator.url,
        regions: REGIONS,
        access: "view",
      },
    });
    expect(view.statusCode, view.body).toBe(201);
    await useExternalId(suite.handle().db, EXTERNAL_ID);
    try {
      // ViewOnlyAccess has no s3:GetBucketPolicy: the read connection to the account runs it.
      const policy = (
        await t.call("POST", "/api/v1/actions/aws.s3.getBucketPolicy/run", {
          body: {
            connections: ["member-1-view", "member-1"],
            input: { Bucket: `archive-${accountId(1)}` },
          },
        })
      ).json<FanOut>();
      expect(policy.results.map((r) => [r.connection, r.status, r.error?.code])).toEqual([
        ["member-1-view", "skipped", "SAME_ACCOUNT"],
        ["member-1", "succeeded", undefined],
      ]);
      expect(policy.results[0]?.error?.message).toBe(
        `connection member-1 reaches the same account ${accountId(1)}: a global service runs once per account`,
      );
      // Both may list buckets: the first named runs it.
      const buckets = (
        await t.call("POST", "/api/v1/actions/aws.s3.listBuckets/run", {
          body: { connections: ["member-1-view", "member-1"], input: {} },
        })
      ).json<FanOut>();
      expect(buckets.results.map((r) => [r.connection, r.status])).toEqual([
        ["member-1-view", "succeeded"],
        ["member-1", "skipped"],
      ]);
    } finally {
      await t.call("DELETE", "/api/v1/connections/member-1-view");
    }
  });

  it("explains a role that will not be assumed as a trust problem, not a permission one", async () => {
    const created = await t.call("POST", "/api/v1/connections", {
      body: {
        name: "untrusting",
        method: "assume_role",
        roleArn: `arn:aws:iam::${accountId(2)}:role/not-there`,
        endpoint: emulator.url,
        regions: ["us-east-1"],
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    try {
      const run = (
        await t.call("POST", "/api/v1/actions/aws.ec2.describeVpcs/run", {
          // Both reach account 2: every connection, or member-2 would be skipped (SAME_ACCOUNT_REGION).
          body: {
            connections: ["untrusting", "member-2"],
            regions: ["us-east-1"],
            everyConnection: true,
            input: {},
          },
        })
      ).json<FanOut & { results: { error?: { fix?: string } }[] }>();
      expect(run.results.map((r) => [r.connection, r.status])).toEqual([
        ["untrusting", "failed"],
        ["member-2", "succeeded"],
      ]);
      expect(run.results[0]?.error).toMatchObject({
        code: "AccessDenied",
        fix: expect.stringContaining("the role's trust policy does not allow") as unknown,
      });
    } finally {
      await t.call("DELETE", "/api/v1/connections/untrusting");
    }
  });
});
