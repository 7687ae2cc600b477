import { readFileSync } from "node:fs";
import {
  DescribeServicesCommand,
  GetAttributeValuesCommand,
  GetProductsCommand,
  paginateGetProducts,
  PricingClient,
} from "@aws-sdk/client-pricing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../emulator/index.js";
import { bulkOfferFile, fixturePriceList } from "../../emulator/pricing/price-list.js";
import { KEYS, testWorld } from "./test-world.js";

let emulator: Emulator;
const pricing = (region = "us-east-1") =>
  new PricingClient({ endpoint: emulator.url, region, credentials: KEYS.reader });

type Entry = {
  product: { productFamily: string; attributes: Record<string, string>; sku: string };
  serviceCode: string;
  terms: {
    OnDemand: Record<
      string,
      {
        sku: string;
        offerTermCode: string;
        priceDimensions: Record<string, { unit: string; pricePerUnit: { USD: string } }>;
      }
    >;
  };
  publicationDate: string;
};

const parse = (entries: unknown[] | undefined): Entry[] =>
  (entries ?? []).map((e) => JSON.parse(String(e)) as Entry);

// The SDK types PriceList entries as LazyJsonString (untyped); they are strings on the wire.
const priceList = (output: { PriceList?: unknown }): unknown[] =>
  (output.PriceList as unknown[] | undefined) ?? [];

const usd = (entry: Entry | undefined): string =>
  Object.values(Object.values(entry?.terms.OnDemand ?? {})[0]?.priceDimensions ?? {})[0]
    ?.pricePerUnit.USD ?? "";

beforeAll(async () => {
  emulator = await startEmulator({ world: testWorld() });
});
afterAll(async () => {
  await emulator.close();
});

describe("pricing:GetProducts", () => {
  it("answers PriceList entries as JSON strings in AWS's format, with the fixture price", async () => {
    const answer = await pricing().send(
      new GetProductsCommand({
        ServiceCode: "AmazonEC2",
        FormatVersion: "aws_v1",
        Filters: [
          { Type: "TERM_MATCH", Field: "instanceType", Value: "m6i.large" },
          { Type: "TERM_MATCH", Field: "regionCode", Value: "eu-west-1" },
          { Type: "TERM_MATCH", Field: "operatingSystem", Value: "Linux" },
        ],
      }),
    );
    expect(answer.FormatVersion).toBe("aws_v1");
    expect(answer.PriceList).toHaveLength(1);
    // A JSON document in a string on the wire (the SDK wraps it as a LazyJsonString).
    expect(String(priceList(answer)[0])).toMatch(
      /^\{"product":\{"productFamily":"Compute Instance"/,
    );
    const [entry] = parse(priceList(answer));
    expect(entry?.serviceCode).toBe("AmazonEC2");
    expect(entry?.product).toMatchObject({
      productFamily: "Compute Instance",
      attributes: {
        instanceType: "m6i.large",
        location: "EU (Ireland)",
        regionCode: "eu-west-1",
        tenancy: "Shared",
        usagetype: "EU-BoxUsage:m6i.large",
      },
    });
    const sku = entry?.product.sku ?? "";
    const term = entry?.terms.OnDemand[`${sku}.JRTCKXETXF`];
    expect(term).toMatchObject({ sku, offerTermCode: "JRTCKXETXF" });
    expect(term?.priceDimensions[`${sku}.JRTCKXETXF.6YS6EN2CT7`]).toMatchObject({
      unit: "Hrs",
      pricePerUnit: { USD: "0.1000000000" },
    });
  });

  it("matches TERM_MATCH values without regard to case, and EQUALS exactly", async () => {
    const filters = (type: "TERM_MATCH" | "EQUALS") => [
      { Type: type, Field: "volumeApiName", Value: "GP3" },
      { Type: type, Field: "regionCode", Value: "us-east-1" },
    ];
    const termMatch = await pricing().send(
      new GetProductsCommand({ ServiceCode: "AmazonEC2", Filters: filters("TERM_MATCH") }),
    );
    expect(
      parse(priceList(termMatch)).map((e) => [e.product.attributes.volumeApiName, usd(e)]),
    ).toEqual([["gp3", "0.0800000000"]]);
    const equals = await pricing().send(
      new GetProductsCommand({ ServiceCode: "AmazonEC2", Filters: filters("EQUALS") }),
    );
    expect(equals.PriceList).toEqual([]);
  });

  it("filters on productFamily and answers nothing for an unknown attribute value", async () => {
    const nat = await pricing().send(
      new GetProductsCommand({
        ServiceCode: "AmazonEC2",
        Filters: [
          { Type: "TERM_MATCH", Field: "productFamily", Value: "NAT Gateway" },
          { Type: "TERM_MATCH", Field: "location", Value: "US East (N. Virginia)" },
        ],
      }),
    );
    expect(
      parse(priceList(nat))
        .map((e) => e.product.attributes.usagetype)
        .sort(),
    ).toEqual(["NatGateway-Bytes", "NatGateway-Hours"]);
    const none = await pricing().send(
      new GetProductsCommand({
        ServiceCode: "AmazonEC2",
        Filters: [{ Type: "TERM_MATCH", Field: "instanceType", Value: "x9.huge" }],
      }),
    );
    expect(none.PriceList).toEqual([]);
  });

  it("pages with NextToken and MaxResults, up to 100 per page", async () => {
    const sizes: number[] = [];
    const skus = new Set<string>();
    for await (const page of paginateGetProducts(
      { client: pricing(), pageSize: 40 },
      { ServiceCode: "AmazonRDS" },
    )) {
      sizes.push(priceList(page).length);
      for (const e of parse(priceList(page))) skus.add(e.product.sku);
    }
    // 7 RDS products × 17 regions.
    expect(sizes).toEqual([40, 40, 39]);
    expect(skus.size).toBe(119);
    await expect(
      pricing().send(new GetProductsCommand({ ServiceCode: "AmazonRDS", MaxResults: 101 })),
    ).rejects.toMatchObject({ name: "InvalidParameterException" });
  });

  it("refuses an unknown filter type and a format version other than aws_v1", async () => {
    await expect(
      pricing().send(
        new GetProductsCommand({
          ServiceCode: "AmazonEC2",
          Filters: [{ Type: "LIKE" as "TERM_MATCH", Field: "instanceType", Value: "t3.micro" }],
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidParameterException" });
    await expect(
      pricing().send(new GetProductsCommand({ ServiceCode: "AmazonEC2", FormatVersion: "aws_v2" })),
    ).rejects.toMatchObject({ name: "InvalidParameterException" });
  });

  it("is served only where AWS has a Price List endpoint", async () => {
    await expect(
      pricing("eu-west-1").send(new GetProductsCommand({ ServiceCode: "AmazonEC2" })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    const frankfurt = await pricing("eu-central-1").send(
      new GetProductsCommand({ ServiceCode: "AmazonEKS", MaxResults: 1 }),
    );
    expect(frankfurt.PriceList).toHaveLength(1);
  });
});

describe("pricing:DescribeServices and GetAttributeValues", () => {
  it("lists the fixture's services with their attribute names, and an attribute's values", async () => {
    const services = await pricing().send(new DescribeServicesCommand({}));
    expect(services.Services?.map((s) => s.ServiceCode)).toEqual([
      "AWSELB",
      "AmazonEC2",
      "AmazonEKS",
      "AmazonElastiCache",
      "AmazonRDS",
    ]);
    expect(services.Services?.[1]?.AttributeNames).toEqual(
      expect.arrayContaining(["instanceType", "location", "regionCode", "volumeApiName"]),
    );
    const values = await pricing().send(
      new GetAttributeValuesCommand({
        ServiceCode: "AmazonElastiCache",
        AttributeName: "instanceType",
      }),
    );
    expect(values.AttributeValues?.map((v) => v.Value)).toEqual([
      "cache.r6g.large",
      "cache.t3.medium",
      "cache.t3.micro",
    ]);
    await expect(
      pricing().send(
        new GetAttributeValuesCommand({ ServiceCode: "AmazonEC2", AttributeName: "nope" }),
      ),
    ).rejects.toMatchObject({ name: "NotFoundException" });
  });
});

describe("the bulk offer file fixture", () => {
  it("is AWS's offer file format, generated from the same fixture prices", () => {
    const file = JSON.parse(
      readFileSync(new URL("../fixtures/price-list/AmazonEC2.json", import.meta.url), "utf8"),
    ) as ReturnType<typeof bulkOfferFile>;
    expect(file).toEqual(
      bulkOfferFile(fixturePriceList(), "AmazonEC2", ["us-east-1", "eu-west-1"]),
    );
    expect(file).toMatchObject({ formatVersion: "v1.0", offerCode: "AmazonEC2" });
  });
});
