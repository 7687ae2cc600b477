import { z } from "zod";

/** The one error body every route answers with. */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.string().describe("a stable code from docs/errors.md"),
    message: z.string(),
    field: z.string().optional().describe("the input field at fault, when there is one"),
    details: z
      .array(z.record(z.string(), z.unknown()))
      .optional()
      .describe(
        "every problem, when there are several (a workflow definition's: path, message, line, column)",
      ),
    requestId: z
      .string()
      .describe("quote it when reporting a problem; it is in the server log too"),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;
