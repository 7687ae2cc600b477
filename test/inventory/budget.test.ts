import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { databaseText } from "../helpers/database-text.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { signInAsMember } from "../helpers/member.js";
import { waitForRun } from "../engine/engine-world.js";
import {
  inventoryStage,
  LAST_MONTH,
  PROD,
  SECRET_ATTRIBUTES,
  type InventoryStage,
} from "./inventory-world.js";

interface Budget {
  components: {
    arn: string;
    monthlyUsd: number;
    plusUsage: boolean;
    price: { usd: string; unit: string; source: string; publishedAt: string } | null;
    assumptions: string[];
  }[];
  groups: { type: string; count: number; monthlyUsd: number }[];
  total: { monthlyUsd: number; plusUsage: boolean };
  actuals?: unknown;
}

const R = "us-east-1";
const INSTANCE = `arn:aws:ec2:${R}:${PROD}:instance/i-10web`;
const VOLUME = `arn:aws:ec2:${R}:${PROD}:volume/vol-10`;
const NAT = `arn:aws:ec2:${R}:${PROD}:natgateway/nat-10`;
const RDS = `arn:aws:rds:${R}:${PROD}:db:orders-10`;
const LAMBDA = `arn:aws:lambda:${R}:${PROD}:function:worker-10`;
const ARNS = [INSTANCE, VOLUME, NAT, RDS, LAMBDA];

describeEachDatabase("inventory budget", (suite) => {
  let stage: InventoryStage;

  beforeAll(async () => {
    stage = await inventoryStage(suite.handle().db);
    const started = await stage.t.call("POST", "/api/v1/inventory/syncs", {
      body: {
        connections: ["prod"],
        regions: [R],
        types: ["ec2.instance", "ec2.volume", "ec2.nat-gateway", "rds.instance", "lambda.function"],
      },
    });
    expect(started.statusCode, started.body).toBe(202);
    const run = await waitForRun(stage.t, started.json<{ id: string }>().id);
    expect(run.status).toBe("succeeded");
  });
  afterAll(async () => {
    await stage.close();
  });

  const budget = async (body: Record<string, unknown>) => {
    const response = await stage.t.call("POST", "/api/v1/inventory/budget", { body });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<Budget>();
  };
  const line = (b: Budget, arn: string) => b.components.find((c) => c.arn === arn);

  it("estimates a month from AWS's Price List API prices, matching the figure by hand", async () => {
    const refreshed = await stage.t.call("POST", "/api/v1/inventory/prices/refresh", {
      body: { connection: "prod", regions: [R] },
    });
    expect(refreshed.statusCode, refreshed.body).toBe(200);
    expect(refreshed.json<{ prices: number }>().prices).toBeGreaterThan(0);
    // Every budget of the org reads them: only an org admin replaces them, and it is audited.
    const member = await signInAsMember(stage.t, "budget-member");
    const refused = await stage.t.call("POST", "/api/v1/inventory/prices/refresh", {
      token: member,
      body: { connection: "prod", regions: [R] },
    });
    expect(refused.statusCode, refused.body).toBe(403);
    const audit = await stage.t.call("GET", "/api/v1/audit?action=inventory.prices.refresh");
    expect(audit.json<{ items: unknown[] }>().items).toHaveLength(1);

    const b = await budget({ arns: ARNS });
    // The emulator's fixture prices: t3.micro $0.0100/h, gp3 $0.0800/GB-Mo (20 GiB),
    // NAT gateway $0.0450/h, db.t3.medium PostgreSQL Single-AZ $0.0700/h; Lambda is usage only.
    expect(line(b, INSTANCE)).toMatchObject({ monthlyUsd: 7.3, plusUsage: false });
    expect(line(b, INSTANCE)?.price).toMatchObject({ unit: "Hrs", source: "api" });
    expect(Number(line(b, INSTANCE)?.price?.usd)).toBe(0.01);
    expect(line(b, INSTANCE)?.assumptions).toContain("730 hours a month");
    expect(line(b, VOLUME)).toMatchObject({ monthlyUsd: 1.6, plusUsage: false });
    expect(line(b, NAT)).toMatchObject({ monthlyUsd: 32.85, plusUsage: true });
    expect(line(b, RDS)).toMatchObject({ monthlyUsd: 51.1, plusUsage: true });
    expect(line(b, LAMBDA)).toMatchObject({ monthlyUsd: 0, plusUsage: true });
    // 0.01×730 + 0.08×20 + 0.045×730 + 0.07×730 = 7.30 + 1.60 + 32.85 + 51.10
    expect(b.total).toEqual({ monthlyUsd: 92.85, plusUsage: true });
    expect(b.groups.find((g) => g.type === "ec2.instance")).toMatchObject({
      count: 1,
      monthlyUsd: 7.3,
    });

    // Overrides: the instance runs 100 hours a month; the function's usage costs $4.50.
    const overridden = await budget({
      arns: ARNS,
      usage: { [INSTANCE]: { hoursPerMonth: 100 }, [LAMBDA]: { usageUsd: 4.5 } },
    });
    expect(line(overridden, INSTANCE)?.monthlyUsd).toBe(1);
    expect(line(overridden, LAMBDA)).toMatchObject({ monthlyUsd: 4.5, plusUsage: false });
    expect(overridden.total.monthlyUsd).toBe(91.05);

    // Last month's actuals from Cost Explorer beside the estimate, and the gap.
    const withActuals = await budget({ arns: ARNS, actualsConnection: "prod" });
    expect(withActuals.actuals).toEqual({
      month: LAST_MONTH,
      services: [
        { service: "Amazon Relational Database Service", usd: 50.5 },
        { service: "Amazon Elastic Compute Cloud - Compute", usd: 20 },
      ],
      totalUsd: 70.5,
      gapUsd: -22.35,
    });

    const csv = await stage.t.call("POST", "/api/v1/inventory/budget/csv", {
      body: { arns: ARNS },
    });
    expect(csv.statusCode, csv.body).toBe(200);
    expect(csv.headers["content-type"]).toContain("text/csv");
    expect(csv.body.split("\n")[0]).toMatch(/^arn,type,region,monthly_usd,plus_usage/);
    expect(csv.body).toContain("total,,,92.85,true");

    // Prices are stored (public facts); the attributes they were matched with are not.
    const text = await databaseText(suite);
    for (const value of Object.values(SECRET_ATTRIBUTES)) expect(text.includes(value)).toBe(false);
  });

  it("estimates with prices imported from an AWS offer file, and says so", async () => {
    const offer = JSON.parse(
      readFileSync("test/fixtures/price-list/AmazonEC2.json", "utf8"),
    ) as unknown;
    const imported = await stage.t.call("POST", "/api/v1/inventory/prices/import", {
      body: offer as Record<string, unknown>,
    });
    expect(imported.statusCode, imported.body).toBe(200);
    expect(imported.json()).toMatchObject({ serviceCode: "AmazonEC2" });
    const b = await budget({ arns: [INSTANCE, VOLUME] });
    expect(line(b, INSTANCE)?.price).toMatchObject({ source: "import" });
    expect(Number(line(b, INSTANCE)?.price?.usd)).toBe(0.01);
    expect(b.total.monthlyUsd).toBe(8.9);

    const bad = await stage.t.call("POST", "/api/v1/inventory/prices/import", {
      body: { hello: "world" },
    });
    expect(bad.statusCode, bad.body).toBe(400);
    expect(bad.json<{ error: { field: string } }>().error.field).toBe("offerCode");
  });
});
