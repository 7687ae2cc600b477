import { z } from "zod";

export const projectNameSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._-]{0,62}$/,
    "expected 1 to 63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit",
  );

export const projectMemberSchema = z
  .string()
  .regex(/^(user|team):[a-z0-9][a-z0-9._-]{0,62}$/, "expected user:<name> or team:<name>");

export const projectSchema = z.object({
  id: z.string(),
  name: z.string(),
  members: z.array(z.string()).describe("user:<name> and team:<name> entries"),
  createdAt: z.string(),
});
export type Project = z.infer<typeof projectSchema>;

export const createProjectSchema = z.strictObject({
  name: projectNameSchema,
  members: z.array(projectMemberSchema).max(1000).default([]),
});
export type CreateProjectInput = z.infer<typeof createProjectSchema>;

export const updateProjectSchema = z.strictObject({
  name: projectNameSchema.optional().describe("a new name; project secret paths follow it"),
  members: z.array(projectMemberSchema).max(1000).optional().describe("the whole member list"),
});
export type UpdateProjectInput = z.infer<typeof updateProjectSchema>;
