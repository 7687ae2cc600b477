import { GetProductsCommand, PricingClient, type Filter } from "@aws-sdk/client-pricing";
import type { Principal } from "../access/index.js";
import { accessCheckOf, type ActionDefinition } from "../actions/index.js";
import { recordAuditEvent, type RequestContext } from "../audit/index.js";
import { visibleConnection, type Actor } from "../connections/index.js";
import type { Db } from "../db/index.js";
import type { EngineDeps } from "../engine/index.js";
import { Forbidden, Invalid, SwitchboardError } from "../errors.js";
import { runTarget } from "../fan-out/index.js";

/** One On-Demand price of a product, as the price list gives it. */
export interface Price {
  serviceCode: string;
  sku: string;
  productFamily: string;
  attributes: Record<string, string>;
  unit: string;
  usd: string;
  description: string;
  publishedAt: string;
}

interface ProductDoc {
  sku?: string;
  productFamily?: string;
  attributes?: Record<string, string>;
}
type TermsDoc = Record<
  string,
  Record<
    string,
    {
      priceDimensions?: Record<
        string,
        {
          unit?: string;
          pricePerUnit?: { USD?: string };
          description?: string;
          beginRange?: string;
        }
      >;
    }
  >
>;

/** The On-Demand prices of one product (a tiered price keeps its first tier). */
function pricesOf(
  serviceCode: string,
  product: ProductDoc,
  onDemand: TermsDoc[string] | undefined,
  publishedAt: string,
): Price[] {
  const out: Price[] = [];
  const seen = new Set<string>();
  for (const term of Object.values(onDemand ?? {})) {
    for (const dimension of Object.values(term.priceDimensions ?? {})) {
      const usd = dimension.pricePerUnit?.USD;
      if (usd === undefined || dimension.unit === undefined || seen.has(dimension.unit)) continue;
      if (dimension.beginRange !== undefined && dimension.beginRange !== "0") continue;
      seen.add(dimension.unit);
      out.push({
        serviceCode,
        sku: product.sku ?? "",
        productFamily: product.productFamily ?? "",
        attributes: product.attributes ?? {},
        unit: dimension.unit,
        usd,
        description: dimension.description ?? "",
        publishedAt,
      });
    }
  }
  return out;
}

/** The prices of an AWS bulk offer file (offers/v1.0/aws/CODE/…/index.json). */
export function parseOfferFile(offer: unknown): Price[] {
  const doc = offer as {
    offerCode?: unknown;
    publicationDate?: unknown;
    products?: Record<string, ProductDoc>;
    terms?: { OnDemand?: TermsDoc };
  };
  if (typeof doc !== "object" || doc === null || typeof doc.offerCode !== "string")
    throw new Invalid("not an AWS price list offer file: offerCode is missing", {
      field: "offerCode",
    });
  if (typeof doc.products !== "object" || typeof doc.terms?.OnDemand !== "object")
    throw new Invalid(
      "not an AWS price list offer file: products and terms.OnDemand are expected",
      {
        field: "products",
      },
    );
  const publishedAt = typeof doc.publicationDate === "string" ? doc.publicationDate : "";
  return Object.entries(doc.products).flatMap(([sku, product]) =>
    pricesOf(
      doc.offerCode as string,
      { ...product, sku: product.sku ?? sku },
      doc.terms?.OnDemand?.[sku],
      publishedAt,
    ),
  );
}

/** The prices of one GetProducts PriceList entry (a JSON document per product). */
export function parsePriceListEntry(entry: string): Price[] {
  const doc = JSON.parse(entry) as {
    product?: ProductDoc;
    serviceCode?: string;
    terms?: { OnDemand?: TermsDoc[string] };
    publicationDate?: string;
  };
  return pricesOf(
    doc.serviceCode ?? "",
    doc.product ?? {},
    doc.terms?.OnDemand,
    doc.publicationDate ?? "",
  );
}

// 13 columns a row: 400 rows are 5,200 bound values.
const ROWS_PER_INSERT = 400;
const ROWS_PER_TRANSACTION = 4_000;

/** Replaces the org's cached prices of the same (service, SKU, unit). */
export async function storePrices(
  db: Db,
  orgId: string,
  prices: Price[],
  source: "api" | "import",
  now: string,
): Promise<number> {
  const unique = new Map(prices.map((p) => [`${p.serviceCode} ${p.sku} ${p.unit}`, p]));
  const rows = [...unique.values()].map((p) => ({
    org_id: orgId,
    service_code: p.serviceCode,
    sku: p.sku,
    unit: p.unit,
    region_code: p.attributes.regionCode ?? "",
    product_family: p.productFamily,
    attributes: JSON.stringify(p.attributes),
    usd: p.usd,
    description: p.description,
    source,
    published_at: p.publishedAt === "" ? now : p.publishedAt,
    fetched_at: now,
  }));
  // A transaction per chunk: a large import never holds the database's write lock (SQLite's is
  // the whole file's) for all its rows. Each row is an upsert, so an import stopped half-way
  // leaves correct prices and is finished by importing again.
  for (let chunk = 0; chunk < rows.length; chunk += ROWS_PER_TRANSACTION)
    await db.transaction().execute(async (tx) => {
      const end = Math.min(chunk + ROWS_PER_TRANSACTION, rows.length);
      for (let i = chunk; i < end; i += ROWS_PER_INSERT) {
        await tx
          .insertInto("inventory_prices")
          .values(rows.slice(i, Math.min(i + ROWS_PER_INSERT, end)))
          .onConflict((oc) =>
            oc.columns(["org_id", "service_code", "sku", "unit"]).doUpdateSet((eb) => ({
              region_code: eb.ref("excluded.region_code"),
              product_family: eb.ref("excluded.product_family"),
              attributes: eb.ref("excluded.attributes"),
              usd: eb.ref("excluded.usd"),
              description: eb.ref("excluded.description"),
              source: eb.ref("excluded.source"),
              published_at: eb.ref("excluded.published_at"),
              fetched_at: eb.ref("excluded.fetched_at"),
            })),
          )
          .execute();
      }
    });
  return rows.length;
}

/** Imports an offer file (`switchboard prices import FILE`): an org admin's change, audited. */
export async function importPrices(
  deps: Pick<EngineDeps, "db" | "clock">,
  context: RequestContext,
  principal: Principal,
  offer: unknown,
): Promise<{ serviceCode: string; prices: number; publishedAt: string }> {
  if (principal.role !== "admin") throw new Forbidden("only an org admin imports prices");
  const prices = parseOfferFile(offer);
  const now = deps.clock.now().toISOString();
  const stored = await storePrices(deps.db, principal.orgId, prices, "import", now);
  const serviceCode = (offer as { offerCode: string }).offerCode;
  await recordAuditEvent(deps.db, context, {
    action: "inventory.prices.import",
    objectType: "price_list",
    objectId: serviceCode,
    outcome: "success",
    detail: { prices: stored },
  });
  return { serviceCode, prices: stored, publishedAt: prices[0]?.publishedAt ?? now };
}

/** The services whose prices a budget uses, and the filters that keep GetProducts small. */
export const PRICED_SERVICES: Record<string, Filter[]> = {
  AmazonEC2: [],
  AmazonRDS: [],
  AmazonElastiCache: [],
  AWSELB: [],
};

// The Price List Query API answers in us-east-1 (and two other regions); prices are global.
const PRICING_REGION = "us-east-1";

/**
 * Fetches the prices of the priced services in some regions through a connection allowed to call
 * pricing:GetProducts (the same layers as an action: the caller's executor grant, the
 * connection's access setting, its credentials), and caches them for the org with their date.
 */
export async function refreshPrices(
  deps: EngineDeps,
  context: RequestContext,
  principal: Principal,
  actor: Actor,
  request: { connection: string; regions: string[] },
): Promise<{ prices: number; publishedAt: string | null }> {
  // Every budget of the org reads these prices: replacing them is an admin's, as an import is.
  if (principal.role !== "admin") throw new Forbidden("only an org admin refreshes prices");
  const { connection, roles } = await visibleConnection(deps.db, principal, request.connection);
  if (!roles.includes("executor"))
    throw new Forbidden(`you need the executor role on connection ${connection.name} to use it`);
  const action: ActionDefinition = {
    id: "inventory.prices",
    title: "Price list",
    description: "pricing:GetProducts",
    sdkService: "pricing",
    operations: ["GetProducts"],
    input: {} as never,
    output: "prices",
    run: async (context) => {
      const client = context.client(PricingClient);
      const prices: Price[] = [];
      for (const [serviceCode, filters] of Object.entries(PRICED_SERVICES)) {
        for (const region of request.regions) {
          let token: string | undefined;
          do {
            const page = await client.send(
              new GetProductsCommand({
                ServiceCode: serviceCode,
                Filters: [...filters, { Type: "TERM_MATCH", Field: "regionCode", Value: region }],
                FormatVersion: "aws_v1",
                NextToken: token,
                MaxResults: 100,
              }),
            );
            // Each entry is one product's JSON document (the SDK may type it as a lazy JSON string).
            for (const entry of (page.PriceList ?? []) as unknown[])
              prices.push(...parsePriceListEntry(String(entry)));
            token = page.NextToken;
          } while (token !== undefined && token !== "");
        }
      }
      return prices;
    },
  };
  const outcome = await runTarget(
    deps,
    { name: connection.name, connection, region: PRICING_REGION },
    {
      action,
      input: {},
      access: accessCheckOf(["pricing:GetProducts"]),
      storeOutput: (output) => ({ shown: output, truncated: false, bytes: 0, stored: "" }),
      actor,
      request: { maxItems: undefined, pageSize: undefined },
      signal: AbortSignal.timeout(120_000),
      limiter: { run: (_key, fn) => fn() },
    },
  );
  if (outcome.result.status !== "succeeded") {
    const error = outcome.result.error ?? { code: "FAILED", message: "GetProducts failed" };
    throw new SwitchboardError(
      "AWS_ERROR",
      `pricing:GetProducts through ${connection.name}: ${error.code}: ${error.message}`,
    );
  }
  const prices = outcome.result.output as Price[];
  const stored = await storePrices(
    deps.db,
    principal.orgId,
    prices,
    "api",
    deps.clock.now().toISOString(),
  );
  await recordAuditEvent(deps.db, context, {
    action: "inventory.prices.refresh",
    objectType: "price_list",
    objectId: connection.name,
    outcome: "success",
    detail: { prices: stored, regions: request.regions },
  });
  return { prices: prices.length, publishedAt: prices[0]?.publishedAt ?? null };
}
