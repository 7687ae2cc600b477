import { z } from "zod";
import { RUN_STATUSES, STEP_STATUSES, TARGET_STATUSES } from "./statuses.js";

// Zod and the status lists (statuses.ts imports nothing): the web app shares these.
export const runStatusSchema = z.enum(RUN_STATUSES);
export const stepStatusSchema = z.enum(STEP_STATUSES);
export const targetStatusSchema = z.enum(TARGET_STATUSES);

export const runErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  field: z.string().optional(),
  fix: z.string().optional(),
});

export const targetSummarySchema = z.object({
  total: z.number(),
  succeeded: z.number(),
  failed: z.number(),
  refused: z.number(),
  skipped: z.number(),
  unknown: z.number(),
  cancelled: z.number(),
});

export const runItemSchema = z.object({
  id: z.string(),
  kind: z.enum(["action", "workflow"]),
  actionId: z.string().nullable().describe("the action of a single-action run"),
  workflow: z
    .object({ name: z.string(), version: z.number() })
    .nullable()
    .describe("the workflow and version a workflow run ran"),
  actor: z.string().describe("who started it (user:NAME, schedule, webhook)"),
  runAs: z.string().nullable().describe("the user it executes as"),
  trigger: z.string().nullable(),
  status: runStatusSchema,
  targetCount: z.number(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
  summary: targetSummarySchema.partial({ unknown: true, cancelled: true }).nullable(),
  connections: z.array(z.string()).describe("the connections it ran on, by name (the first 20)"),
});
export type RunItem = z.infer<typeof runItemSchema>;

export const stepAttemptSchema = z.object({
  attempt: z.number(),
  status: targetStatusSchema,
  durationMs: z.number(),
  finishedAt: z.string(),
  error: runErrorSchema.optional(),
  requestId: z.string().optional(),
});

export const targetResultSchema = z.object({
  idx: z.number().describe("the target's index in the run"),
  connection: z.string(),
  accountId: z.string().nullable(),
  region: z.string(),
  status: targetStatusSchema,
  attempt: z.number().describe("its attempts so far, counted from 1"),
  durationMs: z.number(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  output: z.unknown().optional(),
  outputTruncated: z.boolean().optional(),
  error: runErrorSchema.optional(),
  requestId: z.string().optional().describe("AWS's request id of the call"),
  awsSession: z
    .string()
    .optional()
    .describe(
      "the role session AWS logged the calls under (CloudTrail: the end of userIdentity.arn)",
    ),
  attempts: z.array(stepAttemptSchema).optional().describe("earlier attempts, oldest first"),
});
export type RunTargetResult = z.infer<typeof targetResultSchema>;

export const runStepSchema = z.object({
  idx: z.number(),
  id: z.string(),
  name: z.string().optional(),
  kind: z.enum(["action", "transform", "http", "approval"]),
  action: z.string().optional(),
  status: stepStatusSchema,
  attempt: z.number(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
  targetCount: z.number(),
  settledCount: z.number(),
  summary: targetSummarySchema.nullable(),
  output: z.unknown().optional().describe("a transform's value, an http response (redacted)"),
  error: runErrorSchema.optional(),
  approval: z
    .object({
      grant: z.string(),
      connection: z.string().optional(),
      message: z.string().optional(),
      deciders: z
        .array(z.string())
        .optional()
        .describe(
          "the connections whose grant holders decide (all of them), fixed when it started to wait; empty: only an org admin",
        ),
      allowSelfApproval: z.boolean().optional(),
      waitUntil: z.string().nullable(),
      decidedBy: z.string().nullable(),
      reason: z.string().nullable(),
    })
    .optional(),
});
export type RunStep = z.infer<typeof runStepSchema>;

export const recordedPlanSchema = z
  .object({
    iamActions: z.array(z.string()),
    accessLevel: z.string(),
    write: z.boolean(),
    everyConnection: z.boolean(),
    summary: z.object({
      total: z.number(),
      runs: z.number(),
      refused: z.number(),
      skipped: z.number(),
    }),
  })
  .describe(
    "a single-action run's plan as it stood when the run started (POST /actions/ID/plan without its targets: they are the run's)",
  );
export type RecordedPlan = z.infer<typeof recordedPlanSchema>;

export const runDetailSchema = runItemSchema.extend({
  input: z.unknown().describe("the input it ran with (secrets redacted)"),
  plan: recordedPlanSchema.optional(),
  error: runErrorSchema.optional(),
  steps: z.array(runStepSchema),
  results: z
    .array(targetResultSchema)
    .optional()
    .describe("a single-action run's targets (the first 500; page the rest with /runs/ID/targets)"),
});
export type RunDetail = z.infer<typeof runDetailSchema>;

export const runListQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50).describe("Items per page, 1 to 500"),
  cursor: z.string().max(500).optional().describe("The nextCursor of the previous page"),
  status: runStatusSchema.optional(),
  kind: z.enum(["action", "workflow"]).optional(),
  workflow: z.string().max(63).optional().describe("runs of this workflow"),
});

export const targetPageQuerySchema = z.strictObject({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(100)
    .describe("Items per page, 1 to 1000"),
  cursor: z.string().max(500).optional().describe("The nextCursor of the previous page"),
  step: z.string().max(64).optional().describe("the targets of this step id"),
  status: targetStatusSchema.optional(),
});

export const decisionRequestSchema = z.strictObject({
  step: z
    .string()
    .max(64)
    .optional()
    .describe("the waiting approval step (default: the one waiting)"),
  reason: z.string().max(2000).optional(),
});
