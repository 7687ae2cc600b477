import type { Principal } from "../access/index.js";
import { recordAuditEvent, type RequestContext } from "../audit/index.js";
import { listVisibleConnections, type Actor } from "../connections/index.js";
import type { EngineDeps } from "../engine/index.js";
import type { Selectable } from "kysely";
import type { Limiter } from "../fan-out/index.js";
import { toCsv } from "../runs/index.js";
import type { InventoryPriceTable } from "./inventory.table.js";
import { costActuals, type ActualsOutcome } from "./cost-actuals.js";
import { fetchAttributes, type AttributesLine } from "./fetch-attributes.js";
import type { Attributes } from "./resource-type.js";

/** Hours in a month as AWS's own calculator counts them. */
export const HOURS_PER_MONTH = 730;

export interface UsageOverride {
  /** Hours it runs a month instead of 730 (an instance stopped at night). */
  hoursPerMonth?: number | undefined;
  /** What its usage-priced parts (requests, transfer, storage growth) cost a month, as you expect it. */
  usageUsd?: number | undefined;
}

/** Which price a component takes: the service, the product family and the attributes to match. */
interface PriceRule {
  serviceCode: string;
  family: string;
  match: Record<string, string>;
  unit: string;
  /** Units a month: hours × count, or GB. */
  quantity: (hours: number) => number;
  /** It also has usage-priced parts. */
  plusUsage: boolean;
  assumptions: string[];
}

const ENGINES: Record<string, string> = {
  postgres: "PostgreSQL",
  mysql: "MySQL",
  mariadb: "MariaDB",
  "aurora-postgresql": "Aurora PostgreSQL",
  "aurora-mysql": "Aurora MySQL",
};

const text = (d: Attributes["details"], key: string) => {
  const value = d[key];
  return value === undefined || value === null ? "" : String(value);
};

/** How a type is priced, from its live attributes; undefined: by usage only. */
function ruleOf(type: string, attributes: Attributes, region: string): PriceRule | undefined {
  const d = attributes.details;
  const hourly =
    (count = 1) =>
    (hours: number) =>
      hours * count;
  switch (type) {
    case "ec2.instance":
      return {
        serviceCode: "AmazonEC2",
        family: "Compute Instance",
        match: {
          instanceType: text(d, "instanceType"),
          regionCode: region,
          operatingSystem: "Linux",
          tenancy: "Shared",
          preInstalledSw: "NA",
          capacitystatus: "Used",
        },
        unit: "Hrs",
        quantity: hourly(),
        plusUsage: false,
        assumptions: ["Linux, shared tenancy, On-Demand", "EBS volumes are their own components"],
      };
    case "ec2.volume":
      return {
        serviceCode: "AmazonEC2",
        family: "Storage",
        match: { volumeApiName: text(d, "volumeType"), regionCode: region },
        unit: "GB-Mo",
        quantity: () => Number(d.sizeGiB ?? 0),
        plusUsage: false,
        assumptions: [`${text(d, "sizeGiB")} GiB provisioned`],
      };
    case "ec2.nat-gateway":
      return {
        serviceCode: "AmazonEC2",
        family: "NAT Gateway",
        match: { regionCode: region },
        unit: "Hrs",
        quantity: hourly(),
        plusUsage: true,
        assumptions: ["+ usage: data processed per GB"],
      };
    case "rds.instance":
      return {
        serviceCode: "AmazonRDS",
        family: "Database Instance",
        match: {
          instanceType: text(d, "instanceClass"),
          databaseEngine: ENGINES[text(d, "engine")] ?? text(d, "engine"),
          deploymentOption: d.multiAZ === true ? "Multi-AZ" : "Single-AZ",
          regionCode: region,
        },
        unit: "Hrs",
        quantity: hourly(),
        plusUsage: true,
        assumptions: ["On-Demand", "+ usage: storage, I/O and backups"],
      };
    case "elasticache.cluster":
      return {
        serviceCode: "AmazonElastiCache",
        family: "Cache Instance",
        match: { instanceType: text(d, "nodeType"), regionCode: region },
        unit: "Hrs",
        quantity: hourly(Number(d.nodes ?? 1)),
        plusUsage: false,
        assumptions: [`${text(d, "nodes") || "1"} node(s), On-Demand`],
      };
    case "elbv2.load-balancer":
      return {
        serviceCode: "AWSELB",
        family:
          text(d, "type") === "network" ? "Load Balancer-Network" : "Load Balancer-Application",
        match: { regionCode: region },
        unit: "Hrs",
        quantity: hourly(),
        plusUsage: true,
        assumptions: ["+ usage: capacity units (LCU)"],
      };
    default:
      return undefined;
  }
}

// The attributes that tell a rule's prices apart, asked of the database before any row is parsed.
const KEY_ATTRIBUTES = ["instanceType", "volumeApiName"];

type PriceRow = Selectable<InventoryPriceTable>;

/**
 * The price of a rule in a region: matched in SQL by service, region, family and unit (the org's
 * (service, region) index) and by the text of the rule's instance type or volume type in the
 * stored attributes, then checked attribute by attribute. One query per distinct rule, and each
 * row's attributes parsed at most once, for a request.
 */
function priceFinder(deps: Pick<EngineDeps, "db">, orgId: string) {
  const byRule = new Map<string, Promise<PriceRow[]>>();
  const parsed = new Map<string, Record<string, string>>();
  const attributesOf = (row: PriceRow) => {
    const key = `${row.service_code} ${row.sku} ${row.unit}`;
    let attributes = parsed.get(key);
    if (attributes === undefined) {
      attributes = JSON.parse(row.attributes) as Record<string, string>;
      parsed.set(key, attributes);
    }
    return attributes;
  };
  return async (rule: PriceRule, region: string): Promise<PriceRow | undefined> => {
    const keyAttribute = KEY_ATTRIBUTES.find((k) => rule.match[k] !== undefined);
    const keyValue = keyAttribute === undefined ? undefined : rule.match[keyAttribute];
    const ruleKey = JSON.stringify([rule.serviceCode, rule.family, rule.unit, region, keyValue]);
    let candidates = byRule.get(ruleKey);
    if (candidates === undefined) {
      let query = deps.db
        .selectFrom("inventory_prices")
        .selectAll()
        .where("org_id", "=", orgId)
        .where("service_code", "=", rule.serviceCode)
        .where("region_code", "=", region)
        .where("product_family", "=", rule.family)
        .where("unit", "=", rule.unit);
      // storePrices writes JSON.stringify's text: the pair appears as written here. A LIKE
      // wildcard in a value only lets more rows through; the check below is exact.
      if (keyAttribute !== undefined && keyValue !== undefined)
        query = query.where(
          "attributes",
          "like",
          `%${JSON.stringify(keyAttribute)}:${JSON.stringify(keyValue)}%`,
        );
      candidates = query.orderBy("sku").execute();
      byRule.set(ruleKey, candidates);
    }
    return (await candidates).find((row) => {
      const attributes = attributesOf(row);
      return Object.entries(rule.match).every(([k, v]) => attributes[k] === v);
    });
  };
}

export interface PriceUsed {
  serviceCode: string;
  sku: string;
  usd: string;
  unit: string;
  source: string;
  publishedAt: string;
}

export interface BudgetLine {
  arn: string;
  type: string;
  region: string;
  monthlyUsd: number;
  plusUsage: boolean;
  price: PriceUsed | null;
  assumptions: string[];
  error?: { code: string; message: string };
}

const cents = (usd: number) => Math.round(usd * 100) / 100;

/**
 * A monthly estimate of components of the inventory: their live attributes (fetched now with the
 * viewer's grants, never stored) matched to the org's cached AWS prices. Always-on parts cost
 * their hourly price × 730; usage-priced parts show as "+ usage" unless an override says what
 * they cost. Each line says which price and which assumptions it used.
 */
export async function estimateBudget(
  deps: EngineDeps,
  context: RequestContext,
  principal: Principal,
  actor: Actor,
  request: {
    arns: string[];
    usage?: Record<string, UsageOverride> | undefined;
    /** A connection allowed to call ce:GetCostAndUsage: last month's actuals beside the estimate. */
    actualsConnection?: string | undefined;
  },
  signal: AbortSignal,
  /** The live calls' limiter per (connection, region, service) of this process. */
  limiter: Limiter,
) {
  const lines: AttributesLine[] = [];
  const fetched = await fetchAttributes(
    deps,
    principal,
    actor,
    request.arns,
    (l) => lines.push(l),
    signal,
    { liveStatus: false, limiter },
  );
  // Type and region only of resources still there on connections the viewer may see: an ARN of
  // another connection answers as one the inventory does not have (as fetchAttributes does).
  const visible = await listVisibleConnections(deps.db, principal);
  const stored =
    visible.length === 0
      ? []
      : await deps.db
          .selectFrom("inventory_resources")
          .select(["arn", "type", "region"])
          .where("org_id", "=", principal.orgId)
          .where("arn", "in", [...new Set(request.arns)])
          .where(
            "connection_id",
            "in",
            visible.map((v) => v.connection.id),
          )
          .where("gone_at", "is", null)
          .execute();
  const where = new Map(stored.map((r) => [r.arn, r]));
  const findPrice = priceFinder(deps, principal.orgId);

  const components: BudgetLine[] = [];
  for (const line of lines) components.push(await componentOf(line));
  async function componentOf(line: AttributesLine): Promise<BudgetLine> {
    const place = where.get(line.arn);
    const base = { arn: line.arn, type: place?.type ?? "", region: place?.region ?? "" };
    const override = request.usage?.[line.arn];
    const usageUsd = override?.usageUsd;
    if ("error" in line)
      return {
        ...base,
        monthlyUsd: 0,
        plusUsage: true,
        price: null,
        assumptions: [],
        error: line.error,
      };
    const rule = ruleOf(line.type, line.attributes, base.region);
    if (rule === undefined)
      return {
        ...base,
        monthlyUsd: cents(usageUsd ?? 0),
        plusUsage: usageUsd === undefined,
        price: null,
        assumptions:
          usageUsd === undefined ? ["priced by usage only"] : [`usage as given: $${usageUsd}`],
      };
    const price = await findPrice(rule, base.region);
    const hours = override?.hoursPerMonth ?? HOURS_PER_MONTH;
    const assumptions = [
      ...(rule.unit === "Hrs" ? [`${hours} hours a month`] : []),
      ...rule.assumptions,
      ...(usageUsd === undefined ? [] : [`usage as given: $${usageUsd}`]),
    ];
    if (price === undefined)
      return {
        ...base,
        monthlyUsd: cents(usageUsd ?? 0),
        plusUsage: true,
        price: null,
        assumptions,
        error: {
          code: "NO_PRICE",
          message: `no cached ${rule.serviceCode} price for ${Object.values(rule.match).join(", ")}: refresh or import prices`,
        },
      };
    return {
      ...base,
      monthlyUsd: cents(Number(price.usd) * rule.quantity(hours) + (usageUsd ?? 0)),
      plusUsage: rule.plusUsage && usageUsd === undefined,
      price: {
        serviceCode: price.service_code,
        sku: price.sku,
        usd: price.usd,
        unit: price.unit,
        source: price.source,
        publishedAt: price.published_at,
      },
      assumptions,
    };
  }

  const groups = new Map<
    string,
    { type: string; count: number; monthlyUsd: number; plusUsage: boolean }
  >();
  for (const c of components) {
    const group = groups.get(c.type) ?? { type: c.type, count: 0, monthlyUsd: 0, plusUsage: false };
    group.count += 1;
    group.monthlyUsd = cents(group.monthlyUsd + c.monthlyUsd);
    group.plusUsage ||= c.plusUsage;
    groups.set(c.type, group);
  }
  const total = {
    monthlyUsd: cents(components.reduce((sum, c) => sum + c.monthlyUsd, 0)),
    plusUsage: components.some((c) => c.plusUsage),
  };
  let actuals: (ActualsOutcome & { gapUsd?: number }) | undefined;
  if (request.actualsConnection !== undefined) {
    actuals = await costActuals(deps, principal, actor, request.actualsConnection, signal, limiter);
    // What last month cost beyond (or below) the estimate.
    if ("totalUsd" in actuals) actuals.gapUsd = cents(actuals.totalUsd - total.monthlyUsd);
  }
  // Live AWS calls made for a user: one event for the request.
  await recordAuditEvent(deps.db, context, {
    action: "inventory.budget.estimate",
    objectType: "inventory_budget",
    outcome: "success",
    detail: {
      connections: fetched.connections,
      arns: new Set(request.arns).size,
      ...(request.actualsConnection === undefined
        ? {}
        : { actualsConnection: request.actualsConnection }),
    },
  });
  return {
    components,
    groups: [...groups.values()].sort((a, b) => a.type.localeCompare(b.type)),
    total,
    ...(actuals === undefined ? {} : { actuals }),
  };
}

/** The budget as CSV: one row per component, then the total. */
export function budgetCsv(budget: Awaited<ReturnType<typeof estimateBudget>>): string {
  const header = [
    "arn",
    "type",
    "region",
    "monthly_usd",
    "plus_usage",
    "price_usd",
    "price_unit",
    "price_sku",
    "price_source",
    "price_published_at",
    "assumptions",
    "error",
  ];
  const rows = budget.components.map((c) => [
    c.arn,
    c.type,
    c.region,
    c.monthlyUsd.toFixed(2),
    c.plusUsage,
    c.price?.usd ?? "",
    c.price?.unit ?? "",
    c.price?.sku ?? "",
    c.price?.source ?? "",
    c.price?.publishedAt ?? "",
    c.assumptions.join("; "),
    c.error?.message ?? "",
  ]);
  rows.push([
    "total",
    "",
    "",
    budget.total.monthlyUsd.toFixed(2),
    budget.total.plusUsage,
    "",
    "",
    "",
    "",
    "",
    "",
    "",
  ]);
  // The runs' CSV writer: RFC 4180, and a cell that would start a formula made text (a SKU, a
  // unit or an error may come from an imported price file).
  return toCsv(
    header,
    rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ""]))),
  );
}
