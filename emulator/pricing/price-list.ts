import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

const fixtureSchema = z.object({
  publicationDate: z.string(),
  version: z.string(),
  regions: z.record(z.string(), z.object({ location: z.string(), usagePrefix: z.string() })),
  familyAttributes: z.record(z.string(), z.record(z.string(), z.string())).default({}),
  services: z.record(
    z.string(),
    z.object({
      name: z.string(),
      products: z.array(
        z.object({
          family: z.string(),
          usagetype: z.string(),
          unit: z.string(),
          usd: z.string().regex(/^\d+(\.\d+)?$/),
          attributes: z.record(z.string(), z.string()).default({}),
        }),
      ),
    }),
  ),
});

/** One product of a price list, with its On-Demand price, as AWS's PriceList entries carry it. */
export type PriceListProduct = {
  serviceCode: string;
  sku: string;
  productFamily: string;
  attributes: Record<string, string>;
  unit: string;
  usd: string;
  description: string;
};

export type PriceList = {
  publicationDate: string;
  version: string;
  /** serviceCode → service name */
  services: Map<string, string>;
  products: PriceListProduct[];
};

// AWS's On-Demand offer term code and the rate code of a single price dimension: the same
// constants in every AWS price list.
export const ON_DEMAND_TERM = "JRTCKXETXF";
export const RATE_CODE = "6YS6EN2CT7";

const SKU_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

function skuOf(seed: string): string {
  const digest = createHash("sha256").update(seed).digest();
  let sku = "";
  for (let i = 0; i < 16; i++) sku += SKU_ALPHABET[(digest[i] ?? 0) % SKU_ALPHABET.length];
  return sku;
}

function description(product: Omit<PriceListProduct, "description" | "sku">): string {
  const price = `$${product.usd}`;
  const what =
    product.attributes.instanceType ?? product.attributes.volumeApiName ?? product.productFamily;
  return `${price} per ${product.unit} for ${what} in ${product.attributes.location ?? ""} (emulator fixture price, not AWS's)`;
}

let cached: PriceList | undefined;

/** The emulator's fixture price list (emulator/pricing/fixture-prices.yaml), expanded per region. */
export function fixturePriceList(): PriceList {
  if (cached !== undefined) return cached;
  const raw = parseYaml(
    readFileSync(new URL("./fixture-prices.yaml", import.meta.url), "utf8"),
  ) as unknown;
  const fixture = fixtureSchema.parse(raw);
  const products: PriceListProduct[] = [];
  for (const [serviceCode, service] of Object.entries(fixture.services)) {
    for (const item of service.products) {
      for (const [regionCode, region] of Object.entries(fixture.regions)) {
        const attributes: Record<string, string> = {
          ...(fixture.familyAttributes[item.family] ?? {}),
          ...item.attributes,
          location: region.location,
          locationType: "AWS Region",
          regionCode,
          servicecode: serviceCode,
          servicename: service.name,
          usagetype: `${region.usagePrefix}${item.usagetype}`,
        };
        if (attributes.operation === "") delete attributes.operation;
        const base = {
          serviceCode,
          productFamily: item.family,
          attributes,
          unit: item.unit,
          usd: item.usd,
        };
        products.push({
          ...base,
          sku: skuOf(`${serviceCode}|${regionCode}|${item.family}|${JSON.stringify(attributes)}`),
          description: description(base),
        });
      }
    }
  }
  cached = {
    publicationDate: fixture.publicationDate,
    version: fixture.version,
    services: new Map(Object.entries(fixture.services).map(([code, s]) => [code, s.name])),
    products,
  };
  return cached;
}

function onDemandTerm(list: PriceList, product: PriceListProduct): Record<string, unknown> {
  const term = `${product.sku}.${ON_DEMAND_TERM}`;
  const rate = `${term}.${RATE_CODE}`;
  return {
    [term]: {
      priceDimensions: {
        [rate]: {
          unit: product.unit,
          endRange: "Inf",
          description: product.description,
          appliesTo: [],
          rateCode: rate,
          beginRange: "0",
          pricePerUnit: { USD: Number(product.usd).toFixed(10) },
        },
      },
      sku: product.sku,
      effectiveDate: list.publicationDate,
      offerTermCode: ON_DEMAND_TERM,
      termAttributes: {},
    },
  };
}

/** One entry of GetProducts' PriceList: the product and its terms, as AWS's JSON document. */
export function priceListEntry(list: PriceList, product: PriceListProduct): string {
  return JSON.stringify({
    product: {
      productFamily: product.productFamily,
      attributes: product.attributes,
      sku: product.sku,
    },
    serviceCode: product.serviceCode,
    terms: { OnDemand: onDemandTerm(list, product) },
    version: list.version,
    publicationDate: list.publicationDate,
  });
}

/**
 * A price list offer file in AWS's bulk format (`offers/v1.0/aws/<code>/current/index.json`) for
 * one service, optionally narrowed to some regions.
 */
export function bulkOfferFile(
  list: PriceList,
  serviceCode: string,
  regions?: readonly string[],
): Record<string, unknown> {
  const products = list.products.filter(
    (p) =>
      p.serviceCode === serviceCode &&
      (regions === undefined || regions.includes(p.attributes.regionCode ?? "")),
  );
  return {
    formatVersion: "v1.0",
    disclaimer:
      "Fixture prices of the Switchboard AWS emulator, in AWS's offer file format. These are not AWS's prices.",
    offerCode: serviceCode,
    version: list.version,
    publicationDate: list.publicationDate,
    products: Object.fromEntries(
      products.map((p) => [
        p.sku,
        { sku: p.sku, productFamily: p.productFamily, attributes: p.attributes },
      ]),
    ),
    terms: {
      OnDemand: Object.fromEntries(products.map((p) => [p.sku, onDemandTerm(list, p)])),
    },
  };
}
