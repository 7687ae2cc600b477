import { z } from "zod";

const connectionName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, "expected a connection name");
const region = z
  .string()
  .regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, "expected a region name such as us-east-1");
const resourceType = z
  .string()
  .regex(/^[a-z0-9]+\.[a-z0-9-]+$/, "expected a resource type such as ec2.instance");

/** What a sync lists: the connection and region selectors actions take, and optionally types. */
export const syncRequestSchema = z.strictObject({
  connections: z
    .union([
      z.array(connectionName).min(1).max(5000),
      z.strictObject({ tag: z.string().regex(/^[^=]+=.*$/, "expected key=value") }),
      z.literal("*"),
    ])
    .describe('names, {"tag": "env=prod"} or "*" (every connection you may execute)'),
  regions: z
    .union([z.array(region).min(1).max(50), z.literal("*")])
    .optional()
    .describe('regions, or "*" for each connection\'s own (the default)'),
  types: z
    .array(resourceType)
    .min(1)
    .max(100)
    .optional()
    .describe("resource types to list (GET /inventory/types); every type when absent"),
});
export type SyncRequest = z.infer<typeof syncRequestSchema>;

/** The selection a saved view keeps: the connections and regions of a sync, without the types. */
export const selectionSchema = z.strictObject({
  connections: syncRequestSchema.shape.connections.describe(
    'names, {"tag": "env=prod"} or "*" (every connection you may see)',
  ),
  regions: syncRequestSchema.shape.regions,
});

/**
 * The selection of a diagram. An empty list of names is an empty picture, not an error: a view
 * shared with someone who may see none of its connections opens empty.
 */
export const graphRequestSchema = z.strictObject({
  connections: z
    .union([
      z.array(connectionName).max(5000),
      z.strictObject({ tag: z.string().regex(/^[^=]+=.*$/, "expected key=value") }),
      z.literal("*"),
    ])
    .describe('names, {"tag": "env=prod"} or "*" (every connection you may see)'),
  regions: syncRequestSchema.shape.regions,
});
export type GraphRequest = z.infer<typeof graphRequestSchema>;

const explainedSchema = z.object({ code: z.string(), message: z.string() });

export const graphSchema = z.object({
  generatedAt: z.string(),
  resources: z
    .array(
      z.object({
        arn: z.string(),
        type: z.string(),
        accountId: z.string(),
        region: z.string(),
        connection: z.string(),
        parent: z.string().nullable(),
        zone: z.string().nullable(),
        edges: z.array(z.object({ to: z.string(), kind: z.string() })),
        firstSeen: z.string(),
        lastSeen: z.string(),
      }),
    )
    .describe("what the inventory holds now (no gone resource), each ARN once; no attribute"),
  accounts: z.array(
    z.object({
      accountId: z.string(),
      connections: z.array(z.string()),
      health: z
        .object({
          reachable: z.boolean(),
          suspended: z.boolean(),
          blockedRegions: z.array(z.object({ region: z.string(), reason: z.string() })),
          lastError: explainedSchema.nullable(),
          checkedAt: z.string().nullable(),
        })
        .nullable()
        .describe(
          "the organization health ledger's; null: not an account of an onboarded organization",
        ),
    }),
  ),
  scopes: z
    .array(
      z.object({
        connection: z.string(),
        region: z.string(),
        type: z.string(),
        stale: z.literal(true),
        syncedAt: z.string().nullable(),
        error: explainedSchema.nullable(),
      }),
    )
    .describe(
      "the stale (connection, region, type) scopes only: their picture is the last good one",
    ),
});
export type Graph = z.infer<typeof graphSchema>;

export const syncResponseSchema = z.object({ id: z.string().describe("the sync's run") });

export const resourceQuerySchema = z.strictObject({
  connection: connectionName,
  region: region.optional(),
  type: resourceType.optional(),
  gone: z.enum(["true", "false"]).default("false").describe("include resources no longer seen"),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  cursor: z.string().max(2000).optional(),
});

export const edgeSchema = z.object({ to: z.string(), kind: z.string() });

export const resourceSchema = z.object({
  arn: z.string(),
  type: z.string(),
  accountId: z.string(),
  region: z.string(),
  parent: z.string().nullable(),
  zone: z.string().nullable(),
  edges: z.array(edgeSchema),
  firstSeen: z.string(),
  lastSeen: z.string(),
  goneAt: z.string().nullable(),
});
export type InventoryResource = z.infer<typeof resourceSchema>;

export const scopeSchema = z.object({
  region: z.string(),
  type: z.string(),
  syncedAt: z.string().nullable(),
  checkedAt: z.string(),
  runId: z.string(),
  stale: z.boolean(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});

export const resourcePageSchema = z.object({
  connection: z.string(),
  items: z.array(resourceSchema),
  nextCursor: z.string().nullable(),
  scopes: z.array(scopeSchema).describe("each (region, type) listed: when, and why it is stale"),
});

export const timelineQuerySchema = z.strictObject({
  connection: connectionName,
  since: z.iso.datetime().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  cursor: z.string().max(2000).optional(),
});

export const changeSchema = z.object({
  at: z.string(),
  change: z.enum(["appeared", "disappeared"]),
  arn: z.string(),
  type: z.string(),
  region: z.string(),
  runId: z.string(),
});

export const timelinePageSchema = z.object({
  connection: z.string(),
  items: z.array(changeSchema),
  nextCursor: z.string().nullable(),
});

export const attributesRequestSchema = z.strictObject({
  arns: z.array(z.string().min(1).max(2048)).min(1).max(1000),
});

export const resourceTypeInfoSchema = z.object({
  type: z.string(),
  title: z.string(),
  global: z.boolean(),
  iamActions: z.array(z.string()),
});

export const scheduleNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, "expected a name: lower-case letters, digits, . _ -");

export const scheduleRequestSchema = z.strictObject({
  name: scheduleNameSchema,
  cron: z
    .string()
    .max(200)
    .describe(
      "minute hour day-of-month month day-of-week (5 fields, no seconds; slots at least 15 minutes apart)",
    ),
  timezone: z.string().max(64).default("UTC"),
  sync: syncRequestSchema,
});

export const scheduleSchema = z.object({
  name: z.string(),
  cron: z.string(),
  timezone: z.string(),
  runAs: z.string().optional(),
  sync: syncRequestSchema,
});

export const priceRefreshRequestSchema = z.strictObject({
  connection: connectionName.describe("a connection allowed to call pricing:GetProducts"),
  regions: z.array(region).min(1).max(50).describe("the regions whose prices to cache"),
});

export const priceRefreshResponseSchema = z.object({
  prices: z.number(),
  publishedAt: z.string().nullable(),
});

export const priceImportResponseSchema = z.object({
  serviceCode: z.string(),
  prices: z.number(),
  publishedAt: z.string(),
});

export const budgetRequestSchema = z.strictObject({
  arns: z.array(z.string().min(1).max(2048)).min(1).max(1000),
  usage: z
    .record(
      z.string(),
      z.strictObject({
        hoursPerMonth: z.number().min(0).max(744).optional(),
        usageUsd: z.number().min(0).max(1e9).optional(),
      }),
    )
    .optional()
    .describe("per component (by ARN): hours a month it runs, and what its usage costs a month"),
  actualsConnection: connectionName
    .optional()
    .describe("a connection allowed to call ce:GetCostAndUsage: last month's actual cost beside"),
});

export type BudgetRequest = z.infer<typeof budgetRequestSchema>;

const priceUsedSchema = z.object({
  serviceCode: z.string(),
  sku: z.string(),
  usd: z.string(),
  unit: z.string(),
  source: z.string(),
  publishedAt: z.string(),
});

export const budgetSchema = z.object({
  components: z.array(
    z.object({
      arn: z.string(),
      type: z.string(),
      region: z.string(),
      monthlyUsd: z.number(),
      plusUsage: z.boolean(),
      price: priceUsedSchema.nullable(),
      assumptions: z.array(z.string()),
      error: z.object({ code: z.string(), message: z.string() }).optional(),
    }),
  ),
  groups: z.array(
    z.object({
      type: z.string(),
      count: z.number(),
      monthlyUsd: z.number(),
      plusUsage: z.boolean(),
    }),
  ),
  total: z.object({ monthlyUsd: z.number(), plusUsage: z.boolean() }),
  actuals: z
    .union([
      z.object({
        month: z.string(),
        services: z.array(z.object({ service: z.string(), usd: z.number() })),
        totalUsd: z.number(),
        gapUsd: z.number().optional().describe("actual total minus the estimate's"),
      }),
      z.object({ error: z.object({ code: z.string(), message: z.string() }) }),
    ])
    .optional(),
});

const nodeId = z.string().min(1).max(2048);

/** A saved view as written: selection, collapsed groups, pinned positions, the team it is shared with. */
export const viewRequestSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  selection: selectionSchema,
  collapsed: z
    .array(nodeId)
    .max(5000)
    .describe("ids of the groups shown collapsed (at most 5,000)"),
  pinned: z
    .record(nodeId, z.strictObject({ x: z.number(), y: z.number() }))
    .refine((pinned) => Object.keys(pinned).length <= 5000, "expected at most 5,000 positions")
    .describe("node id → the position the user pinned (at most 5,000)"),
  team: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, "expected a team name")
    .nullable()
    .describe("the team it is shared with (one you are a member of); null: private"),
});
export type ViewRequest = z.infer<typeof viewRequestSchema>;

export const viewSchema = z.object({
  id: z.string(),
  name: z.string(),
  selection: z
    .object({
      connections: z.union([z.array(z.string()), z.object({ tag: z.string() }), z.literal("*")]),
      regions: z.union([z.array(z.string()), z.literal("*")]).optional(),
    })
    .describe("as saved; for a view shared with you, less the connections you may not see"),
  collapsed: z.array(z.string()),
  pinned: z.record(z.string(), z.object({ x: z.number(), y: z.number() })),
  team: z.string().nullable(),
  owner: z.string().describe("the owner's user name"),
  mine: z.boolean(),
  updatedAt: z.string(),
});
export type View = z.infer<typeof viewSchema>;

/** A saved view as listed: who saved it, for whom, and its selection summed up; no body. */
export const viewSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  connections: z
    .union([z.number().int(), z.object({ tag: z.string() }), z.literal("*")])
    .describe(
      "how many connections the view names (for a view shared with you, of those you may see), its tag selector, or *",
    ),
  regions: z
    .union([z.number().int(), z.literal("*")])
    .describe("how many regions it names, or * (each connection's own)"),
  team: z.string().nullable(),
  owner: z.string().describe("the owner's user name"),
  mine: z.boolean(),
  updatedAt: z.string(),
});
export type ViewSummary = z.infer<typeof viewSummarySchema>;

export const viewListQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100).describe("Items per page, 1 to 500"),
  cursor: z.string().max(2000).optional().describe("The nextCursor of the previous page"),
});

export const viewIdSchema = z.strictObject({ id: z.string().min(1).max(64) });
