import { z } from "zod";
import { allowPatternSchema } from "../outbound/index.js";

/** Host patterns bound to one secret (the outbound allow-list's syntax). */
export const MAX_SECRET_ALLOWED_HOSTS = 50;

export const secretTypeSchema = z.enum(["password", "key-pair"]);

export const secretMetadataSchema = z.object({
  path: z.string(),
  type: secretTypeSchema,
  scope: z.enum(["system", "project"]),
  project: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
  updatedBy: z.string(),
  lastUsedAt: z.string().nullable(),
  allowedHosts: z
    .array(z.string())
    .nullable()
    .describe("the hosts an http step may send the value to; null: no http step may send it"),
});
export type SecretMetadata = z.infer<typeof secretMetadataSchema>;

export const putSecretSchema = z.strictObject({
  path: z.string().min(1).max(512).describe("keys/system/<name> or keys/project/<project>/<name>"),
  type: secretTypeSchema.default("password"),
  value: z
    .string()
    .min(1, "expected a non-empty value")
    .max(65_536, "expected at most 64 KiB")
    .describe("write-only: never returned by any route"),
  replace: z.boolean().default(false).describe("true to replace an existing value at this path"),
  allowedHosts: z
    .array(allowPatternSchema)
    .max(MAX_SECRET_ALLOWED_HOSTS)
    .optional()
    .describe(
      "the hosts an http step may send this value to (outbound allow-list patterns); bound to the value: absent, no http step may send it, and writing the value again without it clears it",
    ),
});
export type PutSecretInput = z.infer<typeof putSecretSchema>;

export const listSecretsQuerySchema = z.strictObject({
  prefix: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(1000).optional(),
});
