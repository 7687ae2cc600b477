import { afterAll, beforeAll, expect, it } from "vitest";
import { databaseText } from "../helpers/database-text.js";
import { signInAsMember } from "../helpers/member.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { waitForRun } from "../engine/engine-world.js";
import { fireSyncSchedule, SYNC_SCHEDULE_PREFIX } from "../../src/inventory/index.js";
import {
  balancer,
  DEV,
  ec2Arn,
  GLOBAL_TYPES,
  inventoryStage,
  PROD,
  SECRET_ATTRIBUTES,
  TEST_TYPES,
  type InventoryStage,
} from "./inventory-world.js";

interface Resource {
  arn: string;
  type: string;
  parent: string | null;
  zone: string | null;
  edges: { to: string; kind: string }[];
  firstSeen: string;
  lastSeen: string;
  goneAt: string | null;
}
interface ResourcePage {
  items: Resource[];
  nextCursor: string | null;
  scopes: {
    region: string;
    type: string;
    stale: boolean;
    error: { code: string; message: string } | null;
    syncedAt: string | null;
  }[];
}

describeEachDatabase("inventory sync", (suite) => {
  let stage: InventoryStage;

  beforeAll(async () => {
    stage = await inventoryStage(suite.handle().db);
  });
  afterAll(async () => {
    await stage.close();
  });

  async function sync(body: Record<string, unknown>) {
    const started = await stage.t.call("POST", "/api/v1/inventory/syncs", {
      body: { types: TEST_TYPES, ...body },
    });
    expect(started.statusCode, started.body).toBe(202);
    const { id } = started.json<{ id: string }>();
    return waitForRun(stage.t, id);
  }

  async function resources(connection: string, extra = ""): Promise<ResourcePage> {
    const all: Resource[] = [];
    let cursor: string | null = null;
    let last: ResourcePage | undefined;
    do {
      const response = await stage.t.call(
        "GET",
        `/api/v1/inventory/resources?connection=${connection}&limit=20${extra}${cursor === null ? "" : `&cursor=${cursor}`}`,
      );
      expect(response.statusCode, response.body).toBe(200);
      last = response.json<ResourcePage>();
      all.push(...last.items);
      cursor = last.nextCursor;
    } while (cursor !== null);
    return { ...last, items: all };
  }

  it("stores the ARNs and relations of every connection and region, and no attribute", async () => {
    const run = await sync({ connections: "*" });
    expect(run.status, JSON.stringify(run)).toBe("succeeded");
    // 2 connections × 2 regions × the regional types, and the global ones once per account.
    expect(run.steps[0]?.targetCount).toBe(
      2 * 2 * (TEST_TYPES.length - GLOBAL_TYPES.length) + 2 * GLOBAL_TYPES.length,
    );

    const prod = await resources("prod");
    const byArn = new Map(prod.items.map((r) => [r.arn, r]));
    const region = "us-east-1";
    const at = (kind: string, id: string) => ec2Arn(region, PROD, kind, id);
    const vpc = at("vpc", "vpc-10a");
    const subnetA = at("subnet", "subnet-10a");
    const subnetB = at("subnet", "subnet-10b");
    const web = at("security-group", "sg-10web");
    const db = at("security-group", "sg-10db");
    const instance = at("instance", "i-10web");
    const rds = `arn:aws:rds:${region}:${PROD}:db:orders-10`;
    const fn = `arn:aws:lambda:${region}:${PROD}:function:worker-10`;
    const service = `arn:aws:ecs:${region}:${PROD}:service/apps-10/api`;
    const cluster = `arn:aws:ecs:${region}:${PROD}:cluster/apps-10`;

    expect(byArn.get(vpc)).toMatchObject({ type: "ec2.vpc", parent: null });
    expect(byArn.get(subnetA)).toMatchObject({
      type: "ec2.subnet",
      parent: vpc,
      zone: `${region}a`,
    });
    expect(byArn.get(instance)).toMatchObject({
      type: "ec2.instance",
      parent: subnetA,
      edges: [{ to: web, kind: "uses-group" }],
    });
    expect(byArn.get(web)?.edges).toEqual([{ to: db, kind: "allows" }]);
    expect(byArn.get(at("volume", "vol-10"))?.parent).toBe(instance);
    expect(byArn.get(at("natgateway", "nat-10"))?.parent).toBe(subnetA);
    expect(byArn.get(at("internet-gateway", "igw-10"))?.parent).toBe(vpc);
    expect(byArn.get(at("route-table", "rtb-10"))?.edges).toEqual([
      { to: at("internet-gateway", "igw-10"), kind: "routes-to" },
      { to: subnetA, kind: "serves" },
    ]);
    // The database is in the subnet of its AZ; the function and the service in their subnets.
    expect(byArn.get(rds)).toMatchObject({
      parent: subnetB,
      edges: [{ to: db, kind: "uses-group" }],
    });
    expect(byArn.get(fn)).toMatchObject({ parent: vpc });
    expect(byArn.get(fn)?.edges).toEqual(
      expect.arrayContaining([
        { to: subnetB, kind: "in-subnet" },
        { to: web, kind: "uses-group" },
      ]),
    );
    expect(byArn.get(service)).toMatchObject({ parent: cluster });
    expect(byArn.get(service)?.edges).toEqual(
      expect.arrayContaining([
        { to: subnetA, kind: "in-subnet" },
        { to: web, kind: "uses-group" },
      ]),
    );
    expect(byArn.get(`arn:aws:s3:::assets-${PROD}`)).toMatchObject({ type: "s3.bucket" });
    expect(byArn.get(`arn:aws:sns:eu-west-1:${PROD}:alerts-11`)).toMatchObject({
      type: "sns.topic",
    });
    expect(
      byArn.get(
        `arn:aws:autoscaling:${region}:${PROD}:autoScalingGroup:uuid-10:autoScalingGroupName/asg-10`,
      )?.edges,
    ).toEqual([
      { to: subnetA, kind: "in-subnet" },
      { to: subnetB, kind: "in-subnet" },
    ]);
    // Load balancer → target group → instance; the balancer in its VPC and subnets.
    const lb = balancer(PROD, region, 10).arn;
    const tg = `arn:aws:elasticloadbalancing:${region}:${PROD}:targetgroup/web-10/6d0ecf831eec9f10`;
    expect(byArn.get(lb)).toMatchObject({ type: "elbv2.load-balancer", parent: vpc });
    expect(byArn.get(lb)?.edges).toEqual(
      expect.arrayContaining([
        { to: subnetA, kind: "in-subnet" },
        { to: web, kind: "uses-group" },
      ]),
    );
    expect(byArn.get(tg)).toMatchObject({
      type: "elbv2.target-group",
      parent: vpc,
      edges: [{ to: instance, kind: "targets" }],
    });
    const withLbEdges = await stage.t.call(
      "GET",
      `/api/v1/inventory/resources?connection=prod&type=elbv2.target-group&region=${region}`,
    );
    expect(withLbEdges.statusCode).toBe(200);
    expect(byArn.get(`arn:aws:eks:${region}:${PROD}:cluster/k8s-10`)).toMatchObject({
      type: "eks.cluster",
      parent: vpc,
    });
    expect(byArn.get(`arn:aws:apigateway:${region}::/restapis/api10x`)).toMatchObject({
      type: "apigateway.rest-api",
    });
    expect(byArn.get(`arn:aws:apigateway:${region}::/apis/http10x`)).toMatchObject({
      type: "apigateway.http-api",
    });
    // The distribution's origins: the bucket and the load balancers their DNS names name, in
    // us-east-1 and in eu-west-1 (listed there); ap-southeast-2 is not a region of the connection.
    expect(byArn.get(`arn:aws:cloudfront::${PROD}:distribution/EDIST10`)?.edges).toEqual([
      { to: balancer(PROD, "eu-west-1", 11).arn, kind: "origin" },
      { to: lb, kind: "origin" },
      { to: `arn:aws:s3:::assets-${PROD}`, kind: "origin" },
    ]);
    // Every ARN is the connection's account's (a bucket's and an API's name no account).
    const accountless = /^arn:aws:(s3|apigateway):/;
    expect(prod.items.filter((r) => !r.arn.includes(PROD) && !accountless.test(r.arn))).toEqual([]);
    expect(prod.scopes.every((s) => !s.stale && s.syncedAt !== null)).toBe(true);
    expect(
      (await resources("dev")).items.filter(
        (r) => !r.arn.includes(DEV) && !accountless.test(r.arn),
      ),
    ).toEqual([]);

    // Live attributes: fetched now, through the connection, with the viewer's grants.
    const live = await stage.t.call("POST", "/api/v1/inventory/attributes", {
      body: { arns: [instance, rds, "arn:aws:ec2:us-east-1:300000000001:instance/i-unknown"] },
    });
    expect(live.statusCode, live.body).toBe(200);
    expect(live.headers["content-type"]).toContain("application/x-ndjson");
    const lines = live.body
      .trim()
      .split("\n")
      .map(
        (l) =>
          JSON.parse(l) as {
            arn: string;
            attributes?: Record<string, unknown>;
            error?: { code: string };
          },
      );
    const of = (arn: string) => lines.find((l) => l.arn === arn);
    expect(of(instance)?.attributes).toMatchObject({
      name: SECRET_ATTRIBUTES.nameTag,
      state: SECRET_ATTRIBUTES.state,
      details: { privateIpAddress: SECRET_ATTRIBUTES.privateIp },
      alarms: [SECRET_ATTRIBUTES.alarmName],
    });
    expect(of(rds)?.attributes).toMatchObject({
      details: { endpoint: SECRET_ATTRIBUTES.rdsEndpoint },
    });
    expect(of("arn:aws:ec2:us-east-1:300000000001:instance/i-unknown")?.error?.code).toBe(
      "NOT_FOUND",
    );

    // Nothing of what was listed or viewed is in the database: not a run output, not a row.
    const text = await databaseText(suite);
    expect(text).toContain(instance);
    for (const [what, value] of Object.entries(SECRET_ATTRIBUTES))
      expect(text.includes(value), `${what} ${value} is in the database`).toBe(false);
  });

  it("refuses a selection that chooses nothing, and an unknown type, before any run", async () => {
    const none = await stage.t.call("POST", "/api/v1/inventory/syncs", {
      body: { connections: ["nope"] },
    });
    expect(none.statusCode, none.body).toBe(400);
    const type = await stage.t.call("POST", "/api/v1/inventory/syncs", {
      body: { connections: "*", types: ["ec2.nothing"] },
    });
    expect(type.statusCode, type.body).toBe(400);
    expect(type.json<{ error: { field: string } }>().error.field).toBe("types.0");
  });

  it("syncs a selection on the engine's schedule, as the user who saved it, until it is deleted", async () => {
    const bad = await stage.t.call("POST", "/api/v1/inventory/schedules", {
      body: { name: "nightly", cron: "every night", sync: { connections: ["dev"] } },
    });
    expect(bad.statusCode, bad.body).toBe(400);
    expect(bad.json<{ error: { field: string } }>().error.field).toBe("cron");

    // Every 15 minutes, the shortest a schedule may be; the test fires a slot itself below.
    const saved = await stage.t.call("POST", "/api/v1/inventory/schedules", {
      body: {
        name: "often",
        cron: "*/15 * * * *",
        sync: { connections: ["dev"], regions: ["eu-west-1"], types: ["sns.topic"] },
      },
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const listed = await stage.t.call("GET", "/api/v1/inventory/schedules");
    expect(listed.json<{ items: { name: string; runAs: string }[] }>().items).toEqual([
      expect.objectContaining({ name: "often", runAs: "admin" }),
    ]);
    const db = suite.handle().db;
    const schedule = await db
      .selectFrom("inventory_schedules")
      .select("id")
      .where("name", "=", "often")
      .executeTakeFirstOrThrow();
    // What the engine's scheduler does at a slot.
    await fireSyncSchedule(stage.t.engine.deps, {
      key: `${SYNC_SCHEDULE_PREFIX}${schedule.id}`,
      scheduleId: schedule.id,
    });
    const fired = await until(async () => {
      const run = await db
        .selectFrom("runs")
        .select(["id", "status", "run_as_user_id"])
        .where("action_id", "=", "inventory.sync")
        .where("trigger", "=", "schedule")
        .where("status", "=", "succeeded")
        .executeTakeFirst();
      return run;
    });
    expect(fired.run_as_user_id).toEqual(expect.any(String));
    const deleted = await stage.t.call("DELETE", "/api/v1/inventory/schedules/often");
    expect(deleted.statusCode, deleted.body).toBe(204);
    expect(
      (await stage.t.call("GET", "/api/v1/inventory/schedules")).json<{ items: unknown[] }>().items,
    ).toEqual([]);
  });

  it("shows a member only what their grants allow: stored ARNs with viewer, live attributes and syncs with executor", async () => {
    const synced = await stage.t.call("POST", "/api/v1/inventory/syncs", {
      body: { connections: ["prod", "dev"], regions: ["us-east-1"], types: ["sns.topic"] },
    });
    expect(synced.statusCode, synced.body).toBe(202);
    await waitForRun(stage.t, synced.json<{ id: string }>().id);
    const member = "inventory-viewer";
    const token = await signInAsMember(stage.t, member);
    const granted = await stage.t.call("PUT", "/api/v1/connections/prod/grants", {
      body: [{ principal: `user:${member}`, role: "viewer" }],
    });
    expect(granted.statusCode, granted.body).toBe(200);
    const prodTopic = `arn:aws:sns:us-east-1:${PROD}:alerts-10`;
    const devTopic = `arn:aws:sns:us-east-1:${DEV}:alerts-20`;
    try {
      const seen = await stage.t.call("GET", "/api/v1/inventory/resources?connection=prod", {
        token,
      });
      expect(seen.statusCode, seen.body).toBe(200);
      expect(seen.json<ResourcePage>().items.map((r) => r.arn)).toContain(prodTopic);
      const other = await stage.t.call("GET", "/api/v1/inventory/resources?connection=dev", {
        token,
      });
      expect(other.statusCode).toBe(404);
      const sync = await stage.t.call("POST", "/api/v1/inventory/syncs", {
        token,
        body: { connections: ["prod"] },
      });
      expect(sync.statusCode, sync.body).toBe(400);
      const live = await stage.t.call("POST", "/api/v1/inventory/attributes", {
        token,
        body: { arns: [prodTopic, devTopic] },
      });
      const lines = live.body
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { arn: string; error?: { code: string; message: string } });
      // Executor is needed to call AWS with prod; dev is not even named.
      expect(lines.find((l) => l.arn === prodTopic)?.error?.code).toBe("FORBIDDEN");
      const dev = lines.find((l) => l.arn === devTopic);
      expect(dev?.error?.code).toBe("NOT_FOUND");
      expect(dev?.error?.message).not.toContain("dev");
    } finally {
      await stage.t.call("PUT", "/api/v1/connections/prod/grants", { body: [] });
    }
  });
});

async function until<T>(read: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
