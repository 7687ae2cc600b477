import { z } from "zod";

export const auditOutcomeSchema = z.enum(["success", "failure", "denied"]);

export const auditEventSchema = z.object({
  id: z.string(),
  actor: z.string().describe("user:<name> or system"),
  action: z.string().describe("what was done, e.g. user.create or auth.login"),
  objectType: z.string().nullable(),
  objectId: z.string().nullable(),
  outcome: auditOutcomeSchema,
  sourceIp: z.string().nullable(),
  requestId: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()).nullable(),
  createdAt: z.string(),
});
export type AuditEvent = z.infer<typeof auditEventSchema>;

export const auditQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
  actor: z.string().max(200).optional(),
  action: z.string().max(200).optional().describe("exact action, or a prefix ending in * (user.*)"),
  objectType: z.string().max(100).optional(),
  objectId: z.string().max(300).optional(),
  outcome: auditOutcomeSchema.optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;
