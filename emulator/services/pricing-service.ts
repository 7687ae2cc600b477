import { AwsError } from "../aws-error.js";
import { fixturePriceList, priceListEntry, type PriceListProduct } from "../pricing/price-list.js";
import type { CallContext, ServiceHandlers } from "./call-context.js";
import { pagedOutput } from "./generic-read.js";
import { text } from "./input-text.js";

// The Price List Query API has endpoints in these regions only (api.pricing.<region>.amazonaws.com).
const PRICING_REGIONS = new Set(["us-east-1", "eu-central-1", "ap-south-1"]);
const FORMAT_VERSION = "aws_v1";

type Filter = { Type?: string; Field?: string; Value?: string };

function invalid(message: string): AwsError {
  return new AwsError("InvalidParameterException", message, 400);
}

function notFound(message: string): AwsError {
  return new AwsError("NotFoundException", message, 400);
}

function served(ctx: CallContext): void {
  if (!PRICING_REGIONS.has(ctx.region))
    throw new AwsError(
      "UnknownEndpoint",
      `The Price List Query API has no endpoint in ${ctx.region}: call it in us-east-1, eu-central-1 or ap-south-1`,
      404,
    );
}

function formatVersion(input: Record<string, unknown>): void {
  const version = text(input.FormatVersion);
  if (version !== "" && version !== FORMAT_VERSION)
    throw invalid(`Input format version ${version} is not supported; use ${FORMAT_VERSION}`);
}

function fieldValue(product: PriceListProduct, field: string): string | undefined {
  if (field === "ServiceCode") return product.serviceCode;
  if (field === "productFamily") return product.productFamily;
  if (field === "sku") return product.sku;
  return product.attributes[field];
}

// TERM_MATCH compares whole values without regard to case, as the Price List API does; the newer
// types are literal: EQUALS exact, CONTAINS a substring, ANY_OF / NONE_OF a comma-separated list.
function matcher(filter: Filter): (product: PriceListProduct) => boolean {
  const field = text(filter.Field);
  const value = text(filter.Value);
  if (field === "") throw invalid("Filter Field must not be empty");
  const list = value.split(",").map((v) => v.trim());
  const test: Record<string, (actual: string) => boolean> = {
    TERM_MATCH: (actual) => actual.toLowerCase() === value.toLowerCase(),
    EQUALS: (actual) => actual === value,
    CONTAINS: (actual) => actual.includes(value),
    ANY_OF: (actual) => list.includes(actual),
    NONE_OF: (actual) => !list.includes(actual),
  };
  const compare = test[text(filter.Type)];
  if (compare === undefined)
    throw invalid(
      `Filter Type ${text(filter.Type)} is not valid; use one of ${Object.keys(test).join(", ")}`,
    );
  return (product) => {
    const actual = fieldValue(product, field);
    // A product without the field matches no filter but NONE_OF.
    return actual === undefined ? filter.Type === "NONE_OF" : compare(actual);
  };
}

function attributeNames(serviceCode: string): string[] {
  const names = new Set<string>();
  for (const p of fixturePriceList().products)
    if (p.serviceCode === serviceCode) for (const key of Object.keys(p.attributes)) names.add(key);
  return [...names].sort();
}

/**
 * The Price List Query API (`pricing`, JSON 1.1) over the emulator's fixture prices
 * (emulator/pricing/fixture-prices.yaml): invented figures in AWS's exact format.
 */
export const pricingService: ServiceHandlers = {
  async GetProducts(ctx, input) {
    served(ctx);
    await ctx.authorize("pricing:GetProducts", "*");
    formatVersion(input);
    const serviceCode = text(input.ServiceCode);
    if (serviceCode === "") throw invalid("ServiceCode is required");
    const list = fixturePriceList();
    const filters = ((input.Filters as Filter[] | undefined) ?? []).map(matcher);
    const products = list.products.filter(
      (p) => p.serviceCode === serviceCode && filters.every((matches) => matches(p)),
    );
    const output = pagedOutput(
      ctx,
      input,
      "PriceList",
      products.map((p) => priceListEntry(list, p)),
    );
    return { FormatVersion: FORMAT_VERSION, ...output };
  },

  async DescribeServices(ctx, input) {
    served(ctx);
    await ctx.authorize("pricing:DescribeServices", "*");
    formatVersion(input);
    const serviceCode = text(input.ServiceCode);
    let codes = [...fixturePriceList().services.keys()].sort();
    if (serviceCode !== "") {
      if (!codes.includes(serviceCode)) throw notFound(`Service ${serviceCode} was not found`);
      codes = [serviceCode];
    }
    const output = pagedOutput(
      ctx,
      input,
      "Services",
      codes.map((code) => ({ ServiceCode: code, AttributeNames: attributeNames(code) })),
    );
    return { FormatVersion: FORMAT_VERSION, ...output };
  },

  async GetAttributeValues(ctx, input) {
    served(ctx);
    await ctx.authorize("pricing:GetAttributeValues", "*");
    const serviceCode = text(input.ServiceCode);
    const name = text(input.AttributeName);
    if (!fixturePriceList().services.has(serviceCode))
      throw notFound(`Service ${serviceCode} was not found`);
    const values = new Set<string>();
    for (const p of fixturePriceList().products) {
      const value = p.serviceCode === serviceCode ? p.attributes[name] : undefined;
      if (value !== undefined) values.add(value);
    }
    if (values.size === 0)
      throw notFound(`Attribute ${name} was not found for service ${serviceCode}`);
    return pagedOutput(
      ctx,
      input,
      "AttributeValues",
      [...values].sort().map((Value) => ({ Value })),
    );
  },
};
