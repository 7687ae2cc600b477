import { afterAll, beforeAll, expect, it } from "vitest";
import { newId } from "../../src/ids.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { signInAsMember } from "../helpers/member.js";
import { waitForRun } from "../engine/engine-world.js";
import {
  balancer,
  DEV,
  ec2Arn,
  inventoryStage,
  PROD,
  SECRET_ATTRIBUTES,
  type InventoryStage,
} from "./inventory-world.js";

interface Graph {
  generatedAt: string;
  resources: {
    arn: string;
    type: string;
    accountId: string;
    region: string;
    connection: string;
    parent: string | null;
    zone: string | null;
    edges: { to: string; kind: string }[];
    firstSeen: string;
    lastSeen: string;
  }[];
  accounts: { accountId: string; connections: string[]; health: unknown }[];
  scopes: {
    connection: string;
    region: string;
    type: string;
    stale: boolean;
    syncedAt: string | null;
    error: { code: string; message: string } | null;
  }[];
}

const TYPES = [
  "ec2.vpc",
  "ec2.subnet",
  "ec2.security-group",
  "ec2.instance",
  "elbv2.load-balancer",
  "elbv2.target-group",
  "s3.bucket",
  "sns.topic",
];

describeEachDatabase("inventory graph", (suite) => {
  let stage: InventoryStage;

  beforeAll(async () => {
    stage = await inventoryStage(suite.handle().db);
    const started = await stage.t.call("POST", "/api/v1/inventory/syncs", {
      body: { connections: "*", types: TYPES },
    });
    expect(started.statusCode, started.body).toBe(202);
    const run = await waitForRun(stage.t, started.json<{ id: string }>().id);
    expect(run.status, JSON.stringify(run)).toBe("succeeded");
    await recordLedger();
  });
  afterAll(async () => {
    await stage.close();
  });

  /**
   * The health ledger as a reconcile leaves it: prod is an account of an onboarded organization
   * (reachable, eu-west-1 blocked by an SCP, an old error); dev is an account of an organization
   * that was added but never onboarded, so the diagram knows nothing of its health.
   */
  async function recordLedger() {
    const db = suite.handle().db;
    const org = await db.selectFrom("orgs").select("id").executeTakeFirstOrThrow();
    const prod = await db
      .selectFrom("connections")
      .select("id")
      .where("name", "=", "prod")
      .executeTakeFirstOrThrow();
    const now = new Date().toISOString();
    for (const [name, onboarded, account] of [
      ["acme", true, PROD],
      ["beta", false, DEV],
    ] as const) {
      const id = newId();
      await db
        .insertInto("organizations")
        .values({
          id,
          org_id: org.id,
          name,
          connection_id: prod.id,
          call_as: "SELF",
          aws_organization_id: `o-${name}0000001`,
          management_account_id: "300000000000",
          tree: "[]",
          grants: "[]",
          onboarding: onboarded ? JSON.stringify({ ous: [] }) : null,
          external_id_id: null,
          deployment: null,
          last_sync: null,
          onboarded_by: null,
          created_at: now,
          created_by: "user:admin",
          updated_at: now,
        })
        .execute();
      await db
        .insertInto("organization_accounts")
        .values({
          organization_id: id,
          account_id: account,
          name,
          email: `${name}@example.com`,
          state: "ACTIVE",
          membership: "member",
          parent_id: "r-root",
          ou_path: "Root",
          connection_id: null,
          assumable: 1,
          blocked_regions: JSON.stringify([{ region: "eu-west-1", reason: "scp" }]),
          last_error: JSON.stringify({ code: "AWS_THROTTLED", message: "slow down", fix: "wait" }),
          last_error_at: now,
          checked_at: "2026-12-04T10:00:00.000Z",
          stack_status: null,
          stack_reason: null,
          first_seen_at: now,
          left_at: null,
          updated_at: now,
        })
        .execute();
    }
  }

  async function graph(body: unknown, token?: string): Promise<Graph> {
    const response = await stage.t.call("POST", "/api/v1/inventory/graph", {
      body,
      ...(token === undefined ? {} : { token }),
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<Graph>();
  }

  it("answers the stored picture of a selection: ARNs, parents, zones, edges, accounts with their ledger health, and no attribute", async () => {
    const response = await stage.t.call("POST", "/api/v1/inventory/graph", {
      body: { connections: "*" },
    });
    expect(response.statusCode, response.body).toBe(200);
    const answer = response.json<Graph>();
    const byArn = new Map(answer.resources.map((r) => [r.arn, r]));
    const region = "us-east-1";
    const at = (kind: string, id: string) => ec2Arn(region, PROD, kind, id);
    const vpc = at("vpc", "vpc-10a");
    const subnetA = at("subnet", "subnet-10a");
    const instance = at("instance", "i-10web");
    const web = at("security-group", "sg-10web");
    expect(byArn.get(vpc)).toMatchObject({
      type: "ec2.vpc",
      accountId: PROD,
      region,
      connection: "prod",
      parent: null,
    });
    expect(byArn.get(subnetA)).toMatchObject({ parent: vpc, zone: `${region}a` });
    expect(byArn.get(instance)).toMatchObject({
      type: "ec2.instance",
      parent: subnetA,
      edges: [{ to: web, kind: "uses-group" }],
    });
    const tg = `arn:aws:elasticloadbalancing:${region}:${PROD}:targetgroup/web-10/6d0ecf831eec9f10`;
    expect(byArn.get(tg)?.edges).toEqual([{ to: instance, kind: "targets" }]);
    expect(byArn.get(balancer(PROD, region, 10).arn)).toMatchObject({ parent: vpc });
    expect(byArn.get(`arn:aws:s3:::assets-${DEV}`)).toMatchObject({
      type: "s3.bucket",
      connection: "dev",
    });
    expect(byArn.get(ec2Arn("eu-west-1", DEV, "instance", "i-21web"))).toMatchObject({
      connection: "dev",
      accountId: DEV,
    });
    // Each ARN once.
    expect(answer.resources).toHaveLength(byArn.size);

    expect(answer.accounts).toEqual([
      {
        accountId: PROD,
        connections: ["prod"],
        health: {
          reachable: true,
          suspended: false,
          blockedRegions: [{ region: "eu-west-1", reason: "scp" }],
          lastError: { code: "AWS_THROTTLED", message: "slow down" },
          checkedAt: "2026-12-04T10:00:00.000Z",
        },
      },
      { accountId: DEV, connections: ["dev"], health: null },
    ]);
    expect(answer.scopes).toEqual([]);

    // Attributes come live, never from here: no state, name tag, address or endpoint.
    for (const value of Object.values(SECRET_ATTRIBUTES))
      expect(response.body).not.toContain(value);
    expect(Object.keys(byArn.get(instance) ?? {}).sort()).toEqual(
      [
        "accountId",
        "arn",
        "connection",
        "edges",
        "firstSeen",
        "lastSeen",
        "parent",
        "region",
        "type",
        "zone",
      ].sort(),
    );
  });

  it("narrows to the connections and regions asked, keeping each account's global resources", async () => {
    const eu = await graph({ connections: ["prod"], regions: ["eu-west-1"] });
    expect(eu.resources.length).toBeGreaterThan(0);
    expect(eu.resources.every((r) => r.connection === "prod")).toBe(true);
    expect(eu.resources.filter((r) => r.region !== "eu-west-1").map((r) => r.type)).toEqual([
      "s3.bucket",
    ]);
    const tagged = await graph({ connections: { tag: "team=none" } });
    expect(tagged).toMatchObject({ resources: [], accounts: [], scopes: [] });
    // A saved view narrowed to nothing the viewer may see opens as an empty picture.
    expect(await graph({ connections: [] })).toMatchObject({ resources: [], accounts: [] });
  });

  it("lists a scope whose last listing failed as stale, with its error, and keeps its last picture", async () => {
    const role = stage.emulator.world.accounts.get(PROD)?.roles.get("switchboard-read");
    if (role === undefined) throw new Error("no role");
    role.policies.push({
      name: "deny-sns",
      document: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Deny", Action: "sns:*", Resource: "*" }],
      },
    });
    stage.emulator.authorizer.clear();
    try {
      const started = await stage.t.call("POST", "/api/v1/inventory/syncs", {
        body: { connections: ["prod"], regions: ["us-east-1"], types: ["sns.topic"] },
      });
      expect(started.statusCode, started.body).toBe(202);
      await waitForRun(stage.t, started.json<{ id: string }>().id);
      const answer = await graph({ connections: "*" });
      expect(answer.scopes).toEqual([
        {
          connection: "prod",
          region: "us-east-1",
          type: "sns.topic",
          stale: true,
          syncedAt: expect.any(String) as string,
          error: { code: expect.any(String) as string, message: expect.any(String) as string },
        },
      ]);
      expect(answer.resources.map((r) => r.arn)).toContain(
        `arn:aws:sns:us-east-1:${PROD}:alerts-10`,
      );
    } finally {
      role.policies = role.policies.filter((p) => p.name !== "deny-sns");
      stage.emulator.authorizer.clear();
      const started = await stage.t.call("POST", "/api/v1/inventory/syncs", {
        body: { connections: ["prod"], regions: ["us-east-1"], types: ["sns.topic"] },
      });
      await waitForRun(stage.t, started.json<{ id: string }>().id);
    }
  });

  it("shows a member only the connections they may see, whatever the selection names", async () => {
    const member = "graph-viewer";
    const token = await signInAsMember(stage.t, member);
    const none = await graph({ connections: "*" }, token);
    expect(none).toMatchObject({ resources: [], accounts: [], scopes: [] });
    const granted = await stage.t.call("PUT", "/api/v1/connections/prod/grants", {
      body: [{ principal: `user:${member}`, role: "viewer" }],
    });
    expect(granted.statusCode, granted.body).toBe(200);
    try {
      const seen = await graph({ connections: ["prod", "dev"] }, token);
      expect(seen.resources.length).toBeGreaterThan(0);
      expect(seen.resources.filter((r) => r.connection !== "prod")).toEqual([]);
      expect(seen.resources.filter((r) => r.arn.includes(DEV))).toEqual([]);
      expect(seen.accounts.map((a) => a.accountId)).toEqual([PROD]);
      expect(await graph({ connections: ["dev"] }, token)).toMatchObject({ resources: [] });
    } finally {
      await stage.t.call("PUT", "/api/v1/connections/prod/grants", { body: [] });
    }
  });

  it("refuses a bad selection with a 400 naming the field", async () => {
    for (const [body, field] of [
      [{}, "connections"],
      [{ connections: "*", regions: ["mars"] }, "regions"],
      [{ connections: "*", types: ["ec2.vpc"] }, ""],
    ] as const) {
      const response = await stage.t.call("POST", "/api/v1/inventory/graph", { body });
      expect(response.statusCode, response.body).toBe(400);
      const error = response.json<{ error: { code: string; field?: string; message: string } }>()
        .error;
      expect(error.field ?? error.message).toContain(field);
    }
  });
});
