import { z } from "zod";

const connectionName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, "expected a connection name");
const region = z
  .string()
  .regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, "expected a region name such as us-east-1");

export const runRequestSchema = z.strictObject({
  connection: connectionName.optional().describe("one target: the connection"),
  region: region.optional().describe("one target: the region"),
  connections: z
    .union([
      z.array(connectionName).min(1).max(5000),
      z.strictObject({ tag: z.string().regex(/^[^=]+=.*$/, "expected key=value") }),
      z.literal("*"),
    ])
    .optional()
    .describe('fan-out: names, {"tag": "env=prod"} or "*" (every connection you may execute)'),
  regions: z
    .union([z.array(region).min(1).max(50), z.literal("*")])
    .optional()
    .describe('fan-out: regions, or "*" for each connection\'s own (the default)'),
  everyConnection: z
    .boolean()
    .optional()
    .describe(
      "fan-out: run on every selected connection, even several that reach one AWS account and region; by default a (account, region) runs once, through the first selected connection that may run it, and the others are skipped (SAME_ACCOUNT_REGION). A global service runs once per account either way",
    ),
  input: z.unknown().default({}),
  maxItems: z
    .number()
    .int()
    .positive()
    .max(1_000_000)
    .optional()
    .describe("stop following pages after this many items"),
  pageSize: z
    .number()
    .int()
    .positive()
    .max(1000)
    .optional()
    .describe("items per page asked of AWS; AWS's default when absent"),
});
export type RunRequest = z.infer<typeof runRequestSchema>;

export const targetErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  /** For an input the action itself rejected: which one. */
  field: z.string().optional(),
  fix: z.string().optional(),
});

export const targetResultSchema = z.object({
  connection: z.string(),
  accountId: z.string().nullable(),
  region: z.string(),
  status: z.enum(["succeeded", "failed", "refused", "skipped", "unknown", "cancelled"]),
  durationMs: z.number(),
  output: z.unknown().optional(),
  outputTruncated: z.boolean().optional(),
  error: targetErrorSchema.optional(),
  awsSession: z
    .string()
    .optional()
    .describe(
      "the role session AWS logged the calls under (CloudTrail: the end of userIdentity.arn); credentials are reused across runs, so it may name the run that fetched them",
    ),
});
export type TargetResult = z.infer<typeof targetResultSchema>;

export const runSummarySchema = z.object({
  total: z.number(),
  succeeded: z.number(),
  failed: z.number(),
  refused: z.number(),
  skipped: z.number(),
  unknown: z.number().optional(),
  cancelled: z.number().optional(),
});
export type RunSummary = z.infer<typeof runSummarySchema>;

export const runInfoSchema = z.object({
  id: z.string(),
  status: z.enum(["succeeded", "failed", "partial", "cancelled"]),
  durationMs: z.number(),
});

export const singleRunResponseSchema = z.object({
  run: runInfoSchema,
  output: z.unknown(),
  outputTruncated: z.boolean().optional(),
  awsSession: targetResultSchema.shape.awsSession,
});

export const fanOutResponseSchema = z.object({
  run: runInfoSchema,
  summary: runSummarySchema,
  results: z.array(targetResultSchema),
});

export const actionInfoSchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  service: z.string(),
  global: z.boolean(),
  permissions: z.array(z.object({ action: z.string(), accessLevel: z.string() })),
  accessLevel: z.string().describe("the most powerful access level among its permissions"),
  inputSchema: z.unknown().describe("JSON Schema of the input"),
  output: z.string(),
});
export type ActionInfo = z.infer<typeof actionInfoSchema>;

export const minimalPolicyRequestSchema = z.strictObject({
  actions: z
    .array(
      z.union([
        z.string().describe("a catalog action id"),
        z
          .strictObject({ service: z.string(), operation: z.string() })
          .describe("an aws.call operation"),
      ]),
    )
    .min(1)
    .max(500),
});

export const runPlanTargetSchema = z.object({
  connection: z.string(),
  accountId: z.string().nullable(),
  region: z.string(),
  outcome: z
    .enum(["runs", "refused", "skipped"])
    .describe(
      "runs: it would be sent; refused: a grant or the access setting refuses it; skipped: not run, by design",
    ),
  code: z
    .string()
    .optional()
    .describe(
      "why it is refused or skipped: an error code (ACCESS_REFUSED, FORBIDDEN, REGION_NOT_ALLOWED) or a skip reason (SAME_ACCOUNT_REGION, SAME_ACCOUNT, …) from docs/errors.md",
    ),
  reason: z.string().optional().describe("the same in words"),
});
export type RunPlanTarget = z.infer<typeof runPlanTargetSchema>;

export const runPlanSummarySchema = z.object({
  total: z.number(),
  runs: z.number().describe("targets that would be sent: the number a person confirms a write by"),
  refused: z.number(),
  skipped: z.number(),
});

export const runPlanSchema = z.object({
  action: z.string(),
  iamActions: z.array(z.string()).describe("the IAM actions the run needs on each target"),
  accessLevel: z.string().describe("the most powerful IAM access level among them"),
  write: z
    .boolean()
    .describe("an access level above Read: the run can change something, so ask before running it"),
  single: z.boolean().describe("one connection and region, not a fan-out"),
  everyConnection: z
    .boolean()
    .describe("as asked: every connection, not once per (account, region)"),
  summary: runPlanSummarySchema,
  targets: z.array(runPlanTargetSchema),
});
export type RunPlan = z.infer<typeof runPlanSchema>;
