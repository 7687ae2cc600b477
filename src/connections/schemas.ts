import { z } from "zod";

export const connectionMethodSchema = z.enum([
  "ambient",
  "access_key",
  "assume_role",
  "web_identity",
]);
export type ConnectionMethod = z.infer<typeof connectionMethodSchema>;

export const connectionAccessSchema = z
  .enum(["view", "read", "full"])
  .describe(
    "view = ViewOnlyAccess, read = ReadOnlyAccess (default), full = whatever the identity allows",
  );
export type ConnectionAccess = z.infer<typeof connectionAccessSchema>;

export const grantRoleSchema = z.enum(["viewer", "editor", "executor"]);
export type GrantRole = z.infer<typeof grantRoleSchema>;

export const grantSchema = z.strictObject({
  principal: z
    .string()
    .regex(
      /^(org|user:[a-z0-9][a-z0-9._-]{0,62}|team:[a-z0-9][a-z0-9._-]{0,62})$/,
      "expected org, user:<name> or team:<name>",
    ),
  role: grantRoleSchema,
});
export type Grant = z.infer<typeof grantSchema>;

const RESERVED_CONNECTION_NAMES = ["new", "requests"];

export const connectionNameSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._-]{0,62}$/,
    "expected 1 to 63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit",
  )
  // The web UI's pages /connections/new and /connections/requests sit where a connection's page would.
  .refine((name) => !RESERVED_CONNECTION_NAMES.includes(name), {
    message: "expected a name other than 'new' or 'requests' (the web UI uses those pages)",
  });

export const roleArnSchema = z
  .string()
  .regex(
    /^arn:aws(-cn|-us-gov)?:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/,
    "expected a role ARN like arn:aws:iam::111111111111:role/switchboard-read",
  );
const policyArnSchema = z
  .string()
  .regex(
    /^arn:aws(-cn|-us-gov)?:iam::(aws|\d{12}):policy\/[\w+=,.@/-]{1,512}$/,
    "expected a managed policy ARN",
  );
// AWS allows 10 session policy ARNs; Switchboard adds one for the access setting.
const policyArnsSchema = z.array(policyArnSchema).max(9, "expected at most 9 policy ARNs");
const sessionDurationSchema = z
  .number()
  .int()
  .min(900, "expected at least 900 seconds")
  .max(43_200, "expected at most 43200 seconds");
export const regionSchema = z
  .string()
  .regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, "expected a region name such as us-east-1");
const secretPathSchema = z
  .string()
  .regex(
    /^keys\/(system|project\/[a-z0-9][a-z0-9._-]*)\/.+$/,
    "expected a key store path such as keys/system/aws-prod",
  );

const common = {
  name: connectionNameSchema,
  access: connectionAccessSchema.default("read"),
  regions: z.array(regionSchema).max(50).default([]).describe("empty: learnt on the first test"),
  endpoint: z
    .url({ error: "expected an absolute http(s) URL" })
    .optional()
    .describe("base URL for every AWS call"),
  tags: z
    .record(z.string().regex(/^[\w.:/=+@-]{1,128}$/, "expected a tag key"), z.string().max(256))
    .default({}),
  project: z.string().optional(),
  grants: z
    .array(grantSchema)
    .max(500)
    .optional()
    .describe(
      "create: who else may view, edit or execute it from the start (as PUT /connections/{name}/grants takes them); you are always its editor and executor. Not used by a test or setup documents.",
    ),
};

export const ambientSettingsSchema = z.strictObject({ method: z.literal("ambient") });
export const accessKeySettingsSchema = z.strictObject({
  method: z.literal("access_key"),
  accessKeyId: z.string().regex(/^[A-Z0-9]{16,128}$/, "expected an access key id such as AKIA…"),
  secretPath: secretPathSchema.describe("where the secret access key is in the key store"),
});
export const assumeRoleSettingsSchema = z.strictObject({
  method: z.literal("assume_role"),
  roleArn: roleArnSchema,
  sourceConnection: connectionNameSchema
    .optional()
    .describe(
      "whose credentials assume the role (you need executor on it); default: the server's own identity, which only org admins may use",
    ),
  sessionDurationSeconds: sessionDurationSchema.optional(),
  policyArns: policyArnsSchema.optional(),
});
export const webIdentitySettingsSchema = z.strictObject({
  method: z.literal("web_identity"),
  roleArn: roleArnSchema,
  sessionDurationSeconds: sessionDurationSchema.optional(),
  policyArns: policyArnsSchema.optional(),
});

export const connectionSettingsSchema = z.discriminatedUnion("method", [
  ambientSettingsSchema,
  accessKeySettingsSchema,
  assumeRoleSettingsSchema,
  webIdentitySettingsSchema,
]);
export type ConnectionSettings = z.infer<typeof connectionSettingsSchema>;

const confirmSubjectReuse = z
  .boolean()
  .optional()
  .describe(
    "org admins: give this web_identity connection the subject of a deleted or renamed one, which roles may still trust",
  );

export const createConnectionSchema = z.discriminatedUnion("method", [
  ambientSettingsSchema.extend(common),
  accessKeySettingsSchema.extend(common),
  assumeRoleSettingsSchema.extend({
    ...common,
    externalId: z
      .string()
      .max(128)
      .optional()
      .describe(
        "the ExternalId Switchboard issued you for this draft (POST /connections/setup-documents), so the role you set up before saving keeps working; leave it out for a new one. You cannot choose it.",
      ),
  }),
  webIdentitySettingsSchema.extend({ ...common, confirmSubjectReuse }),
]);
export type CreateConnectionInput = z.infer<typeof createConnectionSchema>;

export const updateConnectionSchema = z.strictObject({
  name: connectionNameSchema.optional(),
  confirmRename: z.boolean().optional().describe("required to rename a web_identity connection"),
  confirmSubjectReuse,
  access: connectionAccessSchema.optional(),
  regions: z.array(regionSchema).max(50).optional(),
  endpoint: z.url().nullable().optional(),
  tags: z.record(z.string(), z.string().max(256)).optional(),
  accessKeyId: z.string().optional(),
  secretPath: z.string().optional(),
  roleArn: z.string().optional(),
  sourceConnection: z.string().nullable().optional(),
  sessionDurationSeconds: z.number().int().nullable().optional(),
  policyArns: z.array(z.string()).optional(),
});
export type UpdateConnectionInput = z.infer<typeof updateConnectionSchema>;

/** What a test's fix points at, so each interface can show where it is (a panel, a page, a setting). */
export const testErrorSeeSchema = z
  .enum(["trust-policy", "outbound-allow-list", "key-store"])
  .describe(
    "what the fix points at: the connection's trust policy, the org's outbound allow-list, or the key store",
  );
export type TestErrorSee = z.infer<typeof testErrorSeeSchema>;

export const connectionTestSchema = z.object({
  ok: z.boolean(),
  checkedAt: z.string(),
  accountId: z.string().nullable(),
  arn: z.string().nullable(),
  regions: z.array(z.string()),
  error: z
    .object({
      code: z.string(),
      message: z.string(),
      fix: z.string(),
      see: testErrorSeeSchema.optional(),
      allow: z
        .string()
        .optional()
        .describe(
          "OUTBOUND_REFUSED: the outbound allow-list entry that would let the request through",
        ),
    })
    .nullable()
    .describe("the AWS error in words, with the likely fix"),
});
export type ConnectionTest = z.infer<typeof connectionTestSchema>;

export const draftTestSchema = connectionTestSchema.extend({
  externalId: z
    .string()
    .optional()
    .describe(
      "assume_role: the ExternalId the draft was tested with; send it back as externalId when you save",
    ),
});
export type DraftTest = z.infer<typeof draftTestSchema>;

export const externalIdRotationSchema = z.object({
  externalId: z.string(),
  warning: z.string(),
});

export const connectionSchema = z.object({
  id: z.string(),
  name: z.string(),
  method: connectionMethodSchema,
  accessKeyId: z.string().optional(),
  secretPath: z.string().optional(),
  roleArn: z.string().optional(),
  sourceConnection: z.string().optional(),
  sessionDurationSeconds: z.number().optional(),
  policyArns: z.array(z.string()).optional(),
  externalId: z
    .string()
    .optional()
    .describe(
      "assume_role: the ExternalId Switchboard generated for this connection, which the role's trust policy must require",
    ),
  webIdentity: z
    .object({ issuer: z.string(), audience: z.string(), subject: z.string() })
    .optional()
    .describe("web_identity: what the role's trust policy must name"),
  access: connectionAccessSchema,
  regions: z.array(z.string()),
  endpoint: z.string().nullable(),
  tags: z.record(z.string(), z.string()),
  project: z.string().nullable(),
  accountId: z.string().nullable(),
  lastTest: connectionTestSchema.nullable(),
  myRoles: z.array(grantRoleSchema).describe("what the caller may do with it (admins: all)"),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
});
export type Connection = z.infer<typeof connectionSchema>;

export const accessRequestSchema = z.object({
  id: z.string(),
  connection: z.string(),
  requester: z.string(),
  reason: z.string(),
  status: z.enum(["pending", "granted", "declined"]),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  createdAt: z.string(),
});
export type AccessRequest = z.infer<typeof accessRequestSchema>;
