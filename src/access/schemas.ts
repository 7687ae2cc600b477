import { z } from "zod";

/** Names appear in URLs, grants (`user:<name>`) and audit actors, so they are kept plain. */
export const nameSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._-]{0,62}$/,
    "expected 1 to 63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit",
  );

export const passwordSchema = z
  .string()
  .min(12, "expected at least 12 characters")
  .max(1024, "expected at most 1024 characters");

export const orgRoleSchema = z.enum(["admin", "member"]);

export const userSchema = z.object({
  id: z.string(),
  name: z.string(),
  displayName: z.string().nullable(),
  role: orgRoleSchema,
  hasPassword: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type User = z.infer<typeof userSchema>;

export const createUserSchema = z.strictObject({
  name: nameSchema,
  displayName: z.string().min(1).max(200).optional(),
  role: orgRoleSchema.default("member"),
  password: passwordSchema.optional().describe("Omit to get a one-time setup link instead"),
});
export type CreateUserInput = z.infer<typeof createUserSchema>;

export const createdUserSchema = z.object({
  user: userSchema,
  setupUrl: z.string().nullable().describe("One-time link to set the password; shown once"),
});

export const updateUserSchema = z.strictObject({
  displayName: z.string().min(1).max(200).nullable().optional(),
  role: orgRoleSchema.optional(),
  password: passwordSchema.optional(),
});
export type UpdateUserInput = z.infer<typeof updateUserSchema>;

export const teamSchema = z.object({
  id: z.string(),
  name: z.string(),
  members: z.array(z.string()).describe("user names"),
  createdAt: z.string(),
});
export type Team = z.infer<typeof teamSchema>;

export const createTeamSchema = z.strictObject({
  name: nameSchema,
  members: z.array(nameSchema).max(1000).default([]),
});
export type CreateTeamInput = z.infer<typeof createTeamSchema>;

export const apiTokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  user: z.string(),
  prefix: z.string().describe("the first characters of the token, to recognise it"),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});
export type ApiToken = z.infer<typeof apiTokenSchema>;

export const createTokenSchema = z.strictObject({
  name: z.string().min(1).max(100),
  expiresInDays: z
    .number()
    .int()
    .min(1)
    .max(3650)
    .nullable()
    .default(90)
    .describe("days until the token expires; null for never"),
});
export type CreateTokenInput = z.infer<typeof createTokenSchema>;

export const createdTokenSchema = z.object({
  token: apiTokenSchema,
  secret: z.string().describe("the token itself: shown once, never again"),
});

export const loginSchema = z.strictObject({
  org: nameSchema.default("default"),
  username: z.string().min(1).max(63),
  password: z.string().min(1).max(1024),
});

export const sessionSchema = z.object({
  user: userSchema,
  org: z.string(),
  csrfToken: z.string().describe("send as the X-CSRF-Token header on every mutating request"),
  expiresAt: z.string(),
});

export const setupPasswordSchema = z.strictObject({
  token: z.string().min(1).max(200),
  password: passwordSchema,
});

export const whoamiSchema = z.object({
  user: userSchema,
  org: z.string(),
  via: z.enum(["token", "session", "run"]),
  teams: z.array(z.string()),
});
