import { z } from "zod";

// Shared with the web app: zod only.

/** `<name>-<account id>` names each member connection: 50 + 1 + 12 fits a connection name's 63. */
export const organizationNameSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,49}$/,
    "expected 1 to 50 lower-case letters, digits, '_' or '-', starting with a letter or digit",
  )
  .refine((name) => name !== "new", { message: "expected a name other than 'new'" });

const connectionNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, "expected a connection name");

const accountIdSchema = z.string().regex(/^\d{12}$/, "expected a 12-digit AWS account id");
const ouIdSchema = z
  .string()
  .regex(
    /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/,
    "expected an OU id (ou-…) or the root's id (r-…)",
  );
const regionSchema = z
  .string()
  .regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, "expected a region name such as us-east-1");
export const memberAccessSchema = z.enum(["view", "read", "full"]);
export const onboardingMethodSchema = z.enum(["assume_role", "web_identity"]);

export const organizationGrantSchema = z.strictObject({
  principal: z
    .string()
    .regex(
      /^(org|user:[a-z0-9][a-z0-9._-]{0,62}|team:[a-z0-9][a-z0-9._-]{0,62})$/,
      "expected org, user:<name> or team:<name>",
    ),
  role: z.enum(["viewer", "editor", "executor"]),
});

export const createOrganizationSchema = z.strictObject({
  name: organizationNameSchema,
  connection: connectionNameSchema.describe(
    "a connection into the organization's management account, or into a delegated administrator of CloudFormation StackSets",
  ),
  grants: z
    .array(organizationGrantSchema)
    .max(200)
    .default([])
    .describe("copied onto every member connection Switchboard creates"),
});
export type CreateOrganizationInput = z.infer<typeof createOrganizationSchema>;

export const onboardingSchema = z.strictObject({
  ous: z
    .array(ouIdSchema)
    .min(1, "expected at least one OU (or the root)")
    .max(100)
    .describe("the OUs whose accounts (in nested OUs too) get a member connection"),
  skipAccounts: z.array(accountIdSchema).max(1000).default([]),
  roleName: z
    .string()
    .regex(/^[\w+=,.@-]{1,64}$/, "expected an IAM role name (1 to 64 of letters, digits, +=,.@_-)")
    .default("switchboard-member"),
  access: memberAccessSchema.default("read"),
  regions: z.array(regionSchema).min(1, "expected at least one region").max(50),
  method: onboardingMethodSchema,
  hubConnection: connectionNameSchema
    .optional()
    .describe(
      "assume_role: the connection whose identity assumes every member role (you need executor on it)",
    ),
  reconcileSchedule: z
    .string()
    .max(100)
    .default("*/15 * * * *")
    .describe("cron (UTC) of the reconcile that keeps the member connections in step"),
});
export type OnboardingInput = z.infer<typeof onboardingSchema>;

export const deploySchema = z.strictObject({
  region: regionSchema.describe("the region the StackSet and its stack instances live in"),
  stackSetName: z
    .string()
    .regex(/^[a-zA-Z][-a-zA-Z0-9]{0,127}$/, "expected a StackSet name (letters, digits, '-')")
    .optional(),
});
export type DeployInput = z.infer<typeof deploySchema>;

const explainedErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  fix: z.string(),
});
export type ExplainedError = z.infer<typeof explainedErrorSchema>;

export const onboardingViewSchema = z.object({
  ous: z.array(z.string()),
  skipAccounts: z.array(z.string()),
  roleName: z.string(),
  access: memberAccessSchema,
  regions: z.array(z.string()),
  method: onboardingMethodSchema,
  hubConnection: z.string().nullable(),
  reconcileSchedule: z.string(),
  onboardedAt: z.string(),
});
export type OnboardingView = z.infer<typeof onboardingViewSchema>;

export const deploymentSchema = z.object({
  stackSetName: z.string(),
  region: z.string(),
  operationId: z.string().nullable(),
  status: z.enum(["RUNNING", "SUCCEEDED", "FAILED", "STOPPED"]),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  error: explainedErrorSchema.nullable(),
});
export type Deployment = z.infer<typeof deploymentSchema>;

export const syncStatusSchema = z.object({
  status: z.enum(["running", "succeeded", "failed"]),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  error: explainedErrorSchema.nullable(),
  changes: z
    .object({
      joined: z.array(z.string()),
      left: z.array(z.string()),
      suspended: z.array(z.string()),
      connected: z.array(z.string()),
      reachable: z.number(),
      unreachable: z.number(),
    })
    .nullable(),
});
export type SyncStatus = z.infer<typeof syncStatusSchema>;

export const ouSchema = z.object({
  id: z.string(),
  name: z.string(),
  parentId: z.string().nullable(),
  path: z.string(),
});
export type OuNode = z.infer<typeof ouSchema>;

export const blockedRegionSchema = z.object({
  region: z.string(),
  reason: z
    .enum(["opt_in", "scp"])
    .describe(
      "opt_in: an opt-in region the account has not enabled; scp: a service control policy denies the member role there",
    ),
  message: z.string().optional().describe("AWS's denial, for scp"),
  seenAt: z.string().optional().describe("when the reconcile saw it"),
});
export type BlockedRegion = z.infer<typeof blockedRegionSchema>;

export const ledgerSchema = z.object({
  assumable: z.boolean().nullable().describe("null: not tested yet"),
  suspended: z.boolean(),
  blockedRegions: z.array(blockedRegionSchema),
  lastError: explainedErrorSchema.nullable(),
  lastErrorAt: z.string().nullable(),
  checkedAt: z.string().nullable(),
});
export type Ledger = z.infer<typeof ledgerSchema>;

export const organizationAccountSchema = z.object({
  accountId: z.string(),
  name: z.string(),
  email: z.string(),
  state: z.string(),
  membership: z.enum(["member", "left"]),
  parentId: z.string(),
  ouPath: z.string(),
  management: z.boolean(),
  connection: z.string().nullable(),
  inScope: z.boolean().describe("in an onboarded OU and not skipped"),
  ledger: ledgerSchema,
  stackInstance: z.object({ status: z.string().nullable(), reason: z.string().nullable() }),
  firstSeenAt: z.string(),
  leftAt: z.string().nullable(),
});
export type OrganizationAccount = z.infer<typeof organizationAccountSchema>;

export const organizationSchema = z.object({
  name: z.string(),
  connection: z.string().nullable().describe("null: the connection was deleted"),
  callAs: z.enum(["SELF", "DELEGATED_ADMIN"]),
  awsOrganizationId: z.string(),
  managementAccountId: z.string(),
  grants: z.array(organizationGrantSchema),
  onboarding: onboardingViewSchema.nullable(),
  deployment: deploymentSchema.nullable(),
  lastSync: syncStatusSchema.nullable(),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
});
export type Organization = z.infer<typeof organizationSchema>;

export const organizationTreeSchema = z.object({
  organization: organizationSchema,
  rootId: z.string(),
  ous: z.array(ouSchema),
  accounts: z.array(organizationAccountSchema),
});
export type OrganizationTree = z.infer<typeof organizationTreeSchema>;

export const memberTemplateSchema = z.object({
  template: z.record(z.string(), z.unknown()),
  body: z.string().describe("the template as JSON text, to save or paste"),
  consoleUrl: z.string().describe("the CloudFormation console page that creates a StackSet"),
  notes: z.array(z.string()),
  managementAccount: z
    .object({
      accountId: z.string(),
      template: z.record(z.string(), z.unknown()),
      note: z.string(),
    })
    .describe(
      "service-managed StackSets never deploy to the management account: onboard it with this single stack",
    ),
});
export type MemberTemplate = z.infer<typeof memberTemplateSchema>;

export const onboardingResultSchema = z.object({
  organization: organizationSchema,
  created: z.array(z.object({ accountId: z.string(), connection: z.string() })),
  skipped: z.array(z.object({ accountId: z.string(), reason: z.string() })),
  notes: z.array(z.string()),
});
