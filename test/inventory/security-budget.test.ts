import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import { signInAsMember } from "../helpers/member.js";
import { waitForRun } from "../engine/engine-world.js";
import { inventoryStage, PROD, type InventoryStage } from "./inventory-world.js";

interface Line {
  arn: string;
  type: string;
  region: string;
  monthlyUsd: number;
  price: { sku: string; usd: string } | null;
  error?: { code: string; message: string };
}
interface Budget {
  components: Line[];
}

const R = "us-east-1";
const INSTANCE = `arn:aws:ec2:${R}:${PROD}:instance/i-10web`;
const VOLUME = `arn:aws:ec2:${R}:${PROD}:volume/vol-10`;
const MISSING = `arn:aws:ec2:${R}:${PROD}:instance/i-0000nothing`;

interface Offer {
  products: Record<string, { sku: string; attributes: Record<string, string> }>;
  terms: { OnDemand: Record<string, Record<string, unknown>> };
}

/**
 * The fixture offer file with `decoys` more products: t3.micro under other operating systems,
 * sorted before the Linux one and priced otherwise, and other instance types, regions and families.
 */
function offerWithDecoys(decoys: number): Offer {
  const offer = JSON.parse(
    readFileSync("test/fixtures/price-list/AmazonEC2.json", "utf8"),
  ) as Offer;
  const linux = "HXB6XZFXTTP899BM";
  const product = offer.products[linux];
  const term = offer.terms.OnDemand[linux];
  if (product === undefined || term === undefined) throw new Error("fixture changed");
  const termText = JSON.stringify(term);
  for (let i = 0; i < decoys; i++) {
    const sku = `AAAA${String(i).padStart(8, "0")}`;
    const attributes = { ...product.attributes };
    if (i % 4 === 0) attributes.operatingSystem = i % 8 === 0 ? "Windows" : "RHEL";
    else if (i % 4 === 1) attributes.instanceType = `t3.micro${i}`;
    else if (i % 4 === 2) attributes.regionCode = `eu-west-${i}`;
    else attributes.tenancy = "Dedicated";
    offer.products[sku] = { ...product, sku, attributes };
    offer.terms.OnDemand[sku] = JSON.parse(
      termText.replaceAll(linux, sku).replaceAll("0.0100000000", "9.9900000000"),
    ) as Record<string, unknown>;
  }
  return offer;
}

describeEachDatabase(
  "inventory budget: what a viewer learns, and prices matched in SQL",
  (suite) => {
    let stage: InventoryStage;

    beforeAll(async () => {
      stage = await inventoryStage(suite.handle().db);
      const started = await stage.t.call("POST", "/api/v1/inventory/syncs", {
        body: { connections: ["prod"], regions: [R], types: ["ec2.instance", "ec2.volume"] },
      });
      expect(started.statusCode, started.body).toBe(202);
      const run = await waitForRun(stage.t, started.json<{ id: string }>().id);
      expect(run.status).toBe("succeeded");
      const imported = await stage.t.call("POST", "/api/v1/inventory/prices/import", {
        body: offerWithDecoys(2_000),
      });
      expect(imported.statusCode, imported.body).toBe(200);
    });
    afterAll(async () => {
      await stage.close();
    });

    const budget = async (arns: string[], token?: string) => {
      const response = await stage.t.call("POST", "/api/v1/inventory/budget", {
        ...(token === undefined ? {} : { token }),
        body: { arns },
      });
      expect(response.statusCode, response.body).toBe(200);
      return response.json<Budget>();
    };
    const csv = async (arns: string[], token: string) => {
      const response = await stage.t.call("POST", "/api/v1/inventory/budget/csv", {
        token,
        body: { arns },
      });
      expect(response.statusCode, response.body).toBe(200);
      return response.body.split("\n");
    };

    it("matches the exact price among thousands of its service and region", async () => {
      const b = await budget([INSTANCE, VOLUME]);
      const instance = b.components.find((c) => c.arn === INSTANCE);
      // The Linux, shared-tenancy t3.micro at $0.01 an hour, not a decoy at $9.99.
      expect(instance).toMatchObject({ type: "ec2.instance", region: R, monthlyUsd: 7.3 });
      expect(instance?.price?.sku).toBe("HXB6XZFXTTP899BM");
      expect(b.components.find((c) => c.arn === VOLUME)?.monthlyUsd).toBe(1.6);
    });

    it("answers an ARN of a connection the viewer may not see exactly as one the inventory does not have", async () => {
      const token = await signInAsMember(stage.t, "budget-outsider");
      const b = await budget([INSTANCE, MISSING], token);
      const seen = b.components.find((c) => c.arn === INSTANCE);
      const missing = b.components.find((c) => c.arn === MISSING);
      expect(seen).toMatchObject({
        type: "",
        region: "",
        price: null,
        error: { code: "NOT_FOUND" },
      });
      expect({ ...seen, arn: "" }).toEqual({ ...missing, arn: "" });
      const rows = await csv([INSTANCE, MISSING], token);
      const row = (arn: string) => rows.find((r) => r.startsWith(arn))?.slice(arn.length);
      expect(row(INSTANCE)).toBe(row(MISSING));
      expect(row(INSTANCE)).toMatch(/^,,,0\.00,/);

      // A viewer of the connection (no executor role) may know where it is, not its attributes.
      const member = "budget-viewer";
      const viewer = await signInAsMember(stage.t, member);
      const granted = await stage.t.call("PUT", "/api/v1/connections/prod/grants", {
        body: [{ principal: `user:${member}`, role: "viewer" }],
      });
      expect(granted.statusCode, granted.body).toBe(200);
      try {
        const v = await budget([INSTANCE], viewer);
        expect(v.components[0]).toMatchObject({
          type: "ec2.instance",
          region: R,
          error: { code: "FORBIDDEN" },
        });
      } finally {
        await stage.t.call("PUT", "/api/v1/connections/prod/grants", { body: [] });
      }
    });

    it("does not place a resource the inventory has seen go", async () => {
      const db = suite.handle().db;
      await db
        .updateTable("inventory_resources")
        .set({ gone_at: new Date().toISOString() })
        .where("arn", "=", VOLUME)
        .execute();
      try {
        const b = await budget([VOLUME, MISSING]);
        const gone = b.components.find((c) => c.arn === VOLUME);
        expect(gone).toMatchObject({ type: "", region: "", error: { code: "NOT_FOUND" } });
        expect({ ...gone, arn: "" }).toEqual({
          ...b.components.find((c) => c.arn === MISSING),
          arn: "",
        });
      } finally {
        await db
          .updateTable("inventory_resources")
          .set({ gone_at: null })
          .where("arn", "=", VOLUME)
          .execute();
      }
    });

    it("records one audit event per request that asks AWS for a user: who, which connections, how many ARNs", async () => {
      const events = async (action: string) =>
        (await stage.t.call("GET", `/api/v1/audit?action=${action}`)).json<{
          items: { actor: string; requestId: string; detail: unknown }[];
        }>().items;
      const attributesBefore = (await events("inventory.attributes.fetch")).length;
      const live = await stage.t.call("POST", "/api/v1/inventory/attributes", {
        body: { arns: [INSTANCE, VOLUME, INSTANCE, MISSING] },
      });
      expect(live.statusCode, live.body).toBe(200);
      expect(live.body.trim().split("\n")).toHaveLength(3);
      const attributes = await events("inventory.attributes.fetch");
      expect(attributes).toHaveLength(attributesBefore + 1);
      expect(attributes).toContainEqual(
        expect.objectContaining({
          actor: expect.stringContaining("admin") as string,
          detail: { connections: ["prod"], arns: 3 },
        }),
      );

      const budgetBefore = (await events("inventory.budget.estimate")).length;
      const b = await stage.t.call("POST", "/api/v1/inventory/budget", {
        body: { arns: [INSTANCE, MISSING], actualsConnection: "prod" },
      });
      expect(b.statusCode, b.body).toBe(200);
      const estimates = await events("inventory.budget.estimate");
      expect(estimates).toHaveLength(budgetBefore + 1);
      expect(estimates).toContainEqual(
        expect.objectContaining({
          detail: { connections: ["prod"], arns: 2, actualsConnection: "prod" },
        }),
      );
    });

    it("bounds the live calls of concurrent viewers per connection, region and service, as the engine bounds a sync's", async () => {
      const synced = await stage.t.call("POST", "/api/v1/inventory/syncs", {
        body: { connections: ["prod"], regions: [R], types: ["sns.topic"] },
      });
      expect(synced.statusCode, synced.body).toBe(202);
      await waitForRun(stage.t, synced.json<{ id: string }>().id);
      const topic = `arn:aws:sns:${R}:${PROD}:alerts-10`;
      stage.emulator.resetCounters();
      stage.emulator.setKnobs({ latencyMs: 300 });
      try {
        // Twelve viewers at once, each listing the same topics once.
        const views = await Promise.all(
          Array.from({ length: 12 }, () =>
            stage.t.call("POST", "/api/v1/inventory/attributes", { body: { arns: [topic] } }),
          ),
        );
        for (const view of views) expect(view.body).toContain('"type":"sns.topic"');
        const peak = stage.emulator.counters().peakInFlight[`${PROD}|${R}|sns`] ?? 0;
        expect(peak).toBeLessThanOrEqual(8);
        expect(peak).toBeGreaterThan(1);
      } finally {
        stage.emulator.setKnobs({ latencyMs: 0 });
      }
    });

    it("refuses a price file over 64 MiB before parsing it", async () => {
      const body = `{"offerCode":"AmazonEC2","pad":"${"x".repeat(64 * 1024 * 1024)}"}`;
      const refused = await stage.t.call("POST", "/api/v1/inventory/prices/import", {
        body,
        headers: { "content-type": "application/json" },
      });
      expect(refused.statusCode).toBe(413);
      expect(refused.json<{ error: { code: string } }>().error.code).toBe("BODY_TOO_LARGE");
    });
  },
);
