import { z } from "zod";

// Zod only: the web app shares these.
export const workflowNameSchema = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{0,62}$/,
    "expected a workflow name: lowercase letters, digits and hyphens, starting with a letter, at most 63",
  );

export const definitionErrorSchema = z.object({
  path: z.string().describe("where in the definition, e.g. steps[2].input.clusters"),
  message: z.string(),
  line: z.number().describe("1-based"),
  column: z.number().describe("1-based"),
});
export type DefinitionError = z.infer<typeof definitionErrorSchema>;

export const validateResponseSchema = z.object({
  valid: z.boolean(),
  errors: z.array(definitionErrorSchema),
});

export const scheduleInfoSchema = z.object({
  cron: z.string(),
  timezone: z.string(),
  nextAt: z.string().nullable(),
  lastFiredAt: z.string().nullable(),
  missedSlots: z
    .number()
    .describe("slots that passed while no worker was running since the last firing (not replayed)"),
});

export const workflowItemSchema = z.object({
  name: z.string(),
  description: z.string().nullable(),
  project: z.string().nullable(),
  version: z.number(),
  updatedAt: z.string(),
  updatedBy: z.string(),
  stepCount: z.number(),
  lastRun: z.object({ id: z.string(), status: z.string(), startedAt: z.string() }).nullable(),
  schedules: z.array(scheduleInfoSchema),
  webhook: z.boolean().describe("whether it has a webhook trigger"),
});
export type WorkflowItem = z.infer<typeof workflowItemSchema>;

export const workflowVersionSchema = z.object({
  version: z.number(),
  createdAt: z.string(),
  createdBy: z.string(),
});

export const workflowDetailSchema = workflowItemSchema.extend({
  source: z.string().describe("the definition as written (YAML or JSON)"),
  format: z.enum(["yaml", "json"]),
  definition: z.unknown().describe("the validated definition"),
  runAs: z.string().nullable(),
  versions: z.array(workflowVersionSchema).describe("newest first"),
  webhookUrl: z.string().nullable(),
});
export type WorkflowDetail = z.infer<typeof workflowDetailSchema>;

export const workflowSaveResponseSchema = workflowDetailSchema.extend({
  webhookSecret: z
    .string()
    .optional()
    .describe("the webhook's signing secret: shown once, when it is created or rotated"),
});

export const startRunRequestSchema = z.strictObject({
  inputs: z.record(z.string(), z.unknown()).default({}),
});

export const startRunResponseSchema = z.object({ id: z.string() });

export const preflightTargetSchema = z.object({
  connection: z.string(),
  accountId: z.string().nullable(),
  region: z.string(),
  outcome: z.enum(["runs", "refused", "skipped"]),
  code: z.string().optional(),
  reason: z.string().optional(),
});

export const preflightStepSchema = z.object({
  id: z.string(),
  kind: z.enum(["action", "transform", "http", "approval"]),
  action: z.string().optional(),
  iamActions: z.array(z.string()),
  accessLevel: z.string().optional(),
  targets: z.array(preflightTargetSchema),
  targetsKnown: z
    .boolean()
    .describe("false when the targets depend on earlier steps' results (forEach, expressions)"),
  notes: z.array(z.string()),
});

export const preflightResponseSchema = z.object({
  workflow: z.string(),
  version: z.number(),
  runAs: z.string(),
  steps: z.array(preflightStepSchema),
  missingGrants: z.array(
    z.object({ step: z.string(), connection: z.string(), role: z.string(), reason: z.string() }),
  ),
  accessRefusals: z.array(
    z.object({
      step: z.string(),
      connection: z.string(),
      iamAction: z.string(),
      accessLevel: z.string(),
      access: z.string(),
    }),
  ),
  permissions: z
    .array(
      z.object({
        connection: z.string(),
        iamActions: z.array(z.string()),
        policy: z.object({
          Version: z.literal("2012-10-17"),
          Statement: z.array(z.record(z.string(), z.unknown())),
        }),
      }),
    )
    .describe("per connection, the IAM policy its role needs for this workflow"),
  ok: z.boolean().describe("nothing missing or refused"),
});
export type PreflightResponse = z.infer<typeof preflightResponseSchema>;
