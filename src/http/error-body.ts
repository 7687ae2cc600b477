import { z } from "zod";

/** The one error body every route answers with. */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.string().describe("a stable code from docs/errors.md"),
    message: z.string(),
    field: z.string().optional().describe("the input field at fault, when there is one"),
    requestId: z
      .string()
      .describe("quote it when reporting a problem; it is in the server log too"),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;
