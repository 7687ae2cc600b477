import { z } from "zod";
import { cronProblem } from "../cron-problem.js";

// The web editor validates as you type with this file, so it imports nothing but zod: the
// expression compiler (jsonata) and the YAML positions live in parse-definition.ts.

export const WORKFLOW_NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;
export const STEP_ID_PATTERN = /^[a-z][a-zA-Z0-9_]*$/;
/** Input and secret names are JSONata names, so `inputs.x` needs no backticks. */
export const VARIABLE_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
export const MAX_STEPS = 100;
export const MAX_FOR_EACH_CONCURRENCY = 64;
export const DEFAULT_APPROVAL_TIMEOUT_MS = 24 * 3_600_000;
const MAX_STEP_TIMEOUT_MS = 24 * 3_600_000;
const MAX_APPROVAL_TIMEOUT_MS = 30 * 24 * 3_600_000;

const EXPRESSION_START = "${{";

/** Whether a string holds a `${{ … }}` expression (alone or inside text). */
export function hasExpression(value: string): boolean {
  return value.includes(EXPRESSION_START);
}

const expressionSchema = z
  .string()
  .refine(hasExpression, { message: "expected an expression such as ${{ steps.list.output }}" });

/** A literal checked by `schema`, or a string with an expression that gives it at run time. */
function orExpression<T extends z.ZodType>(schema: T, expected: string) {
  const message = `expected ${expected}, or an expression in \${{ }}`;
  // Zod reports the branch of the value's type: a string that is neither says both.
  return z.union([schema, z.string().refine(hasExpression, { message })], { error: () => message });
}

// Same rules as the connections' and users' own schemas (which are server files we cannot import).
const connectionNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, "expected a connection name");
const userNameSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, "expected a user name");
const regionSchema = z
  .string()
  .regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, "expected a region name such as us-east-1");
// src/keystore/secret-path.ts: keys/system/<name> or keys/project/<project>/<name>.
const SECRET_SEGMENT = "[A-Za-z0-9][A-Za-z0-9._-]{0,127}";
const secretPathSchema = z
  .string()
  .max(512)
  .regex(
    new RegExp(
      `^keys/(system|project/[a-z0-9][a-z0-9._-]{0,62})/${SECRET_SEGMENT}(/${SECRET_SEGMENT})*$`,
    ),
    "expected a key store path: keys/system/<name> or keys/project/<project>/<name>",
  );

const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** `"90s"`, `"5m"`, `"1h30m"`, `"2d"`, `"250ms"` → milliseconds; undefined when not a duration. */
export function parseDurationMs(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (match === null || text === "") return undefined;
  const [, d = "0", h = "0", m = "0", s = "0", ms = "0"] = match;
  return (
    Number(d) * 86_400_000 +
    Number(h) * 3_600_000 +
    Number(m) * 60_000 +
    Number(s) * 1000 +
    Number(ms)
  );
}

function durationSchema(maxMs: number, maxText: string) {
  return z.string().transform((text, ctx) => {
    const ms = parseDurationMs(text);
    if (ms === undefined || ms <= 0) {
      ctx.addIssue({ code: "custom", message: 'expected a duration such as "30s", "5m" or "1h"' });
      return z.NEVER;
    }
    if (ms > maxMs) {
      ctx.addIssue({ code: "custom", message: `expected at most ${maxText}` });
      return z.NEVER;
    }
    return ms;
  });
}

// Shared with the inventory's and organizations' schedules (a leaf module, so they need not
// import the workflows feature).
export { cronProblem };

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const inputTypeSchema = z.enum(["string", "number", "boolean", "array", "object"]);

function matchesType(value: unknown, type: z.infer<typeof inputTypeSchema>): boolean {
  switch (type) {
    case "array":
      return Array.isArray(value);
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    default:
      return typeof value === type;
  }
}

export const workflowInputSchema = z
  .strictObject({
    type: inputTypeSchema,
    description: z.string().max(1000).optional(),
    default: z.unknown().optional(),
    required: z.boolean().optional(),
    enum: z.array(z.unknown()).min(1).max(1000).optional().describe("the only values allowed"),
  })
  .superRefine((input, ctx) => {
    if (input.default !== undefined && !matchesType(input.default, input.type)) {
      ctx.addIssue({ code: "custom", path: ["default"], message: `expected a ${input.type}` });
    }
    for (const [i, value] of (input.enum ?? []).entries()) {
      if (!matchesType(value, input.type)) {
        ctx.addIssue({ code: "custom", path: ["enum", i], message: `expected a ${input.type}` });
      }
    }
  });
export type WorkflowInput = z.infer<typeof workflowInputSchema>;

const retrySchema = z
  .strictObject({
    attempts: z
      .int()
      .min(1)
      .max(10)
      .describe("attempts in all, counted from 1: 3 means the first try and two retries"),
    backoffSeconds: z.number().positive().max(3600).default(1),
    maxBackoffSeconds: z.number().positive().max(3600).default(60),
  })
  .refine((retry) => retry.maxBackoffSeconds >= retry.backoffSeconds, {
    path: ["maxBackoffSeconds"],
    message: "expected at least backoffSeconds",
  });

const commonStepFields = {
  id: z
    .string()
    .max(64)
    .regex(
      STEP_ID_PATTERN,
      "expected a step id: a lower-case letter, then letters, digits or '_' (e.g. listClusters)",
    ),
  name: z.string().min(1).max(200).optional(),
  description: z.string().max(2000).optional(),
  if: expressionSchema.optional().describe("run the step only when this is true"),
  onError: z
    .enum(["continue", "fail"])
    .default("fail")
    .describe("continue: the run goes on after this step fails"),
  retry: retrySchema.optional(),
  timeout: durationSchema(MAX_STEP_TIMEOUT_MS, "24h").optional(),
};

const ACTION_ID = /^aws\.(call|[a-z0-9-]+\.[a-z][a-zA-Z0-9]*)$/;

export const actionStepSchema = z
  .strictObject({
    ...commonStepFields,
    action: z
      .string()
      .regex(ACTION_ID, "expected a catalog action such as aws.ecs.listClusters, or aws.call"),
    connection: orExpression(connectionNameSchema, "a connection name").optional(),
    connections: orExpression(
      z.union([
        z.array(connectionNameSchema).min(1).max(5000),
        z.strictObject({ tag: z.string().regex(/^[^=]+=.*$/, "expected key=value") }),
        z.literal("*"),
      ]),
      'a list of connection names, { tag: "key=value" } or "*"',
    )
      .optional()
      .describe(
        'names, { tag: "env=prod" }, "*" (every connection the run may execute) or an expression',
      ),
    region: orExpression(regionSchema, "a region name such as us-east-1").optional(),
    regions: orExpression(
      z.union([z.array(regionSchema).min(1).max(50), z.literal("*")]),
      'a list of regions or "*"',
    )
      .optional()
      .describe('regions, or "*" for each connection\'s own (the default)'),
    everyConnection: z
      .boolean()
      .optional()
      .describe(
        "run on every selected connection, several to one account and region included (default: once per account and region)",
      ),
    input: orExpression(z.record(z.string(), z.unknown()), "an object").optional(),
    forEach: expressionSchema
      .optional()
      .describe("run the step once per item of this list; item and index name the current one"),
    concurrency: z.int().min(1).max(MAX_FOR_EACH_CONCURRENCY).optional(),
    maxItems: z.int().positive().max(1_000_000).optional(),
    pageSize: z.int().positive().max(1000).optional(),
  })
  .superRefine((step, ctx) => {
    if (step.connection !== undefined && step.connections !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["connections"],
        message: "expected connection or connections, not both",
      });
    }
    if (step.region !== undefined && step.regions !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["regions"],
        message: "expected region or regions, not both",
      });
    }
    if (step.concurrency !== undefined && step.forEach === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["concurrency"],
        message: "concurrency applies to forEach; add forEach or remove concurrency",
      });
    }
    if (step.action === "aws.call") {
      const input = step.input;
      if (input === undefined || typeof input === "string") return;
      for (const key of ["service", "operation"] as const) {
        if (typeof input[key] !== "string") {
          ctx.addIssue({
            code: "custom",
            path: ["input", key],
            message: `aws.call needs input.${key} (e.g. service: ec2, operation: DescribeInstances)`,
          });
        }
      }
    }
  });

export const transformStepSchema = z.strictObject({
  ...commonStepFields,
  transform: z
    .unknown()
    .refine((value) => value !== undefined && value !== null, {
      message: "expected an expression, or an object or list whose values may be expressions",
    })
    .describe("the step's output, computed from expressions; no I/O"),
});

export const httpStepSchema = z.strictObject({
  ...commonStepFields,
  http: z.strictObject({
    method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]),
    url: z.string().refine((url) => hasExpression(url) || /^https?:\/\/[^\s/]+/.test(url), {
      message: "expected an http(s) URL (the outbound allow-list must allow its host)",
    }),
    headers: z
      .record(z.string().regex(/^[A-Za-z0-9-]{1,128}$/, "expected a header name"), z.string())
      .optional(),
    query: z.record(z.string(), z.string()).optional(),
    body: z.unknown().optional(),
    secrets: z
      .record(
        z.string().regex(VARIABLE_NAME_PATTERN, "expected a name for ${{ secrets.<name> }}"),
        secretPathSchema,
      )
      .optional()
      .describe("key store secrets, used as ${{ secrets.<name> }} in url, headers, query and body"),
    expectStatus: z
      .array(z.int().min(100).max(599))
      .min(1)
      .optional()
      .describe("statuses that mean success; 2xx when absent"),
    output: z
      .array(z.enum(["status", "headers", "body"]))
      .min(1)
      .optional()
      .describe(
        "the parts of the answer the step's output keeps; status and body when absent, status alone when the step has secrets (a server may echo a secret transformed, which redaction cannot find)",
      ),
  }),
});

export const approvalStepSchema = z.strictObject({
  ...commonStepFields,
  approval: z
    .strictObject({
      // The grant roles of src/connections (viewer is left out: it is read access, not a say).
      grant: z
        .enum(["executor", "editor"])
        .default("executor")
        .describe("people with this grant on the connection may approve or decline"),
      connection: orExpression(connectionNameSchema, "a connection name")
        .optional()
        .describe(
          "the connection whose grant holders decide; the later steps' connections when absent",
        ),
      message: z.string().max(4000).optional(),
      allowSelfApproval: z
        .boolean()
        .optional()
        .describe(
          "the run's starter and its run-as user may approve too (default: another person)",
        ),
      timeout: durationSchema(MAX_APPROVAL_TIMEOUT_MS, "30d").optional(),
    })
    .transform(({ timeout, ...approval }) => ({
      ...approval,
      timeoutMs: timeout ?? DEFAULT_APPROVAL_TIMEOUT_MS,
    })),
});

export const STEP_KINDS = ["action", "transform", "http", "approval"] as const;
export type StepKind = (typeof STEP_KINDS)[number];

const KIND_SCHEMAS = {
  action: actionStepSchema,
  transform: transformStepSchema,
  http: httpStepSchema,
  approval: approvalStepSchema,
} as const;

export type ActionStep = z.output<typeof actionStepSchema>;
export type TransformStep = z.output<typeof transformStepSchema>;
export type HttpStep = z.output<typeof httpStepSchema>;
export type ApprovalStep = z.output<typeof approvalStepSchema>;

/** A step as validated: `timeout` is replaced by `timeoutMs`. */
type WithTimeoutMs<S> = Omit<S, "timeout"> & { timeoutMs?: number };
export type WorkflowStep =
  | WithTimeoutMs<ActionStep>
  | WithTimeoutMs<TransformStep>
  | WithTimeoutMs<HttpStep>
  | WithTimeoutMs<ApprovalStep>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A step is one of four kinds, told apart by its key; a plain union would answer a typo with
 * "invalid input" from all four, so the kind is chosen first and only its schema speaks.
 */
export const workflowStepSchema = z.unknown().transform((value, ctx): WorkflowStep => {
  if (!isRecord(value)) {
    ctx.addIssue({ code: "custom", message: "expected a step (an object with an id)" });
    return z.NEVER;
  }
  const kinds = STEP_KINDS.filter((kind) => value[kind] !== undefined);
  if (kinds.length !== 1) {
    ctx.addIssue({
      code: "custom",
      message:
        kinds.length === 0
          ? "expected one of action, transform, http or approval"
          : `expected one of action, transform, http or approval, not ${kinds.join(" and ")}`,
    });
    return z.NEVER;
  }
  const result = KIND_SCHEMAS[kinds[0] as StepKind].safeParse(value);
  if (!result.success) {
    for (const issue of result.error.issues) {
      ctx.addIssue({ ...issue, path: issue.path.filter(isPathKey) });
    }
    return z.NEVER;
  }
  const { timeout, ...step } = result.data;
  return timeout === undefined ? step : { ...step, timeoutMs: timeout };
});

function isPathKey(key: PropertyKey): key is string | number {
  return typeof key !== "symbol";
}

export const scheduleTriggerSchema = z
  .strictObject({
    schedule: z.string().superRefine((cron, ctx) => {
      const problem = cronProblem(cron);
      if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
    }),
    timezone: z
      .string()
      .refine(isTimeZone, { message: "expected an IANA time zone such as Europe/Paris" })
      .optional()
      .describe("UTC when absent"),
    inputs: z
      .record(z.string(), z.unknown())
      .optional()
      .describe("the run's inputs at each firing"),
  })
  .describe("a cron schedule: minute hour day-of-month month day-of-week");

export const webhookTriggerSchema = z.strictObject({
  webhook: z.strictObject({}).describe("runs on a POST signed with the workflow's webhook secret"),
});

export type WorkflowTrigger =
  z.output<typeof scheduleTriggerSchema> | z.output<typeof webhookTriggerSchema>;

const workflowTriggerSchema = z.unknown().transform((value, ctx): WorkflowTrigger => {
  const schema = isRecord(value)
    ? "schedule" in value
      ? scheduleTriggerSchema
      : "webhook" in value
        ? webhookTriggerSchema
        : undefined
    : undefined;
  if (schema === undefined) {
    ctx.addIssue({ code: "custom", message: 'expected { schedule: "<cron>" } or { webhook: {} }' });
    return z.NEVER;
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    for (const issue of result.error.issues) {
      ctx.addIssue({ ...issue, path: issue.path.filter(isPathKey) });
    }
    return z.NEVER;
  }
  return result.data;
});

export const workflowDefinitionSchema = z
  .strictObject({
    name: z
      .string()
      .regex(
        WORKFLOW_NAME_PATTERN,
        "expected 1 to 63 lower-case letters, digits or '-', starting with a letter",
      ),
    description: z.string().max(4000).optional(),
    inputs: z
      .record(
        z.string().regex(VARIABLE_NAME_PATTERN, "expected an input name: letters, digits or '_'"),
        workflowInputSchema,
      )
      .optional(),
    runAs: userNameSchema
      .optional()
      .describe("the user the run executes as; only an admin may set it"),
    timeout: durationSchema(30 * 24 * 3_600_000, "30d")
      .optional()
      .describe("the longest a run may take, waits included"),
    steps: z
      .array(workflowStepSchema)
      .min(1, "expected at least one step")
      .max(MAX_STEPS, `expected at most ${MAX_STEPS} steps`),
    triggers: z.array(workflowTriggerSchema).max(20).optional(),
  })
  .superRefine((definition, ctx) => {
    const seen = new Map<string, number>();
    for (const [i, step] of definition.steps.entries()) {
      const first = seen.get(step.id);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["steps", i, "id"],
          message: `step id ${step.id} is already used by steps[${first}]`,
        });
      } else {
        seen.set(step.id, i);
      }
    }
  })
  .transform(({ timeout, ...definition }) =>
    timeout === undefined ? definition : { ...definition, timeoutMs: timeout },
  );

export type WorkflowDefinition = z.output<typeof workflowDefinitionSchema>;

export function stepKind(step: WorkflowStep): StepKind {
  if ("action" in step) return "action";
  if ("transform" in step) return "transform";
  if ("http" in step) return "http";
  return "approval";
}

export function isActionStep(step: WorkflowStep): step is WithTimeoutMs<ActionStep> {
  return stepKind(step) === "action";
}
export function isTransformStep(step: WorkflowStep): step is WithTimeoutMs<TransformStep> {
  return stepKind(step) === "transform";
}
export function isHttpStep(step: WorkflowStep): step is WithTimeoutMs<HttpStep> {
  return stepKind(step) === "http";
}
export function isApprovalStep(step: WorkflowStep): step is WithTimeoutMs<ApprovalStep> {
  return stepKind(step) === "approval";
}

/** `["steps", 2, "input", "clusters"]` → `steps[2].input.clusters`. */
export function formatPath(path: readonly (string | number)[]): string {
  let text = "";
  for (const key of path) {
    if (typeof key === "number") text += `[${key}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key)) text += text === "" ? key : `.${key}`;
    else text += `[${JSON.stringify(key)}]`;
  }
  return text;
}

const ARTICLE = /^[aeiou]/;

/**
 * Zod's issues in the words of this file: one per unknown key (its path ends at the key), and
 * "expected an array, got a string" instead of zod's generic text. The editor and the API share it.
 */
export function definitionIssues(
  error: z.ZodError,
  input: unknown,
): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  for (const issue of error.issues) {
    const path = issue.path.filter(isPathKey);
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        issues.push({ path: [...path, key], message: `unknown key "${key}"` });
      }
    } else if (issue.code === "invalid_type") {
      const expected = String(issue.expected);
      const value = valueAt(input, path);
      issues.push({
        path,
        message:
          value === undefined
            ? `required: expected ${ARTICLE.test(expected) ? "an" : "a"} ${expected}`
            : `expected ${ARTICLE.test(expected) ? "an" : "a"} ${expected}, got ${describeType(value)}`,
      });
    } else {
      issues.push({ path, message: issue.message });
    }
  }
  return issues;
}

function valueAt(input: unknown, path: readonly (string | number)[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
  }
  return value;
}

function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `${ARTICLE.test(typeof value) ? "an" : "a"} ${typeof value}`;
}
