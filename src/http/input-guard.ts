import type { FastifyInstance, FastifyRequest } from "fastify";
import { Invalid } from "../errors.js";

/**
 * How deep a request's JSON may nest. The deepest AWS input we know (DynamoDB attribute values)
 * stops at 32; a body nested much deeper would overflow the stack of whatever walks it next
 * (JSON.stringify, zod) and answer 500.
 */
export const MAX_INPUT_DEPTH = 64;

const PARTS = ["params", "query", "body"] as const;
type Part = (typeof PARTS)[number];

export interface InputProblem {
  /** the field path inside its part, as the error body's `field` names it (`members.0`) */
  field: string;
  message: string;
}

const LONE_SURROGATE = /\p{Surrogate}/u;

/** Why a string cannot be stored as text on both databases, or undefined when it can. */
function textProblem(text: string): string | undefined {
  // PostgreSQL refuses U+0000 in text and jsonb; SQLite would store it and cut it short later.
  if (text.includes("\u0000")) return "contains a NUL character (U+0000), which text cannot hold";
  // A lone surrogate is not a character: UTF-8 cannot encode it, so it would be stored as U+FFFD.
  // (With the u flag a well-formed pair is one code point, so only a lone half matches.)
  if (LONE_SURROGATE.test(text))
    return "contains a lone UTF-16 surrogate, which is not valid Unicode";
  return undefined;
}

/** A key as it can appear in a field path and a message, its bad characters escaped. */
function printable(key: string): string {
  return key.replace(
    /\p{Cc}|\p{Surrogate}/gu,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * The first string (value or object key) of a parsed request part that no database can hold as
 * text, or the first place nested deeper than MAX_INPUT_DEPTH. Iterative, so a hostile depth
 * cannot overflow the stack here.
 */
export function findInputProblem(part: Part, value: unknown): InputProblem | undefined {
  const at = (path: string[], problem: string): InputProblem => ({
    field: path.join("."),
    message: `${[part, ...path].join(".")} ${problem}`,
  });
  if (typeof value === "string") {
    const problem = textProblem(value);
    return problem === undefined ? undefined : at([], problem);
  }
  const stack: { value: object; path: string[] }[] = [];
  if (typeof value === "object" && value !== null) stack.push({ value, path: [] });
  while (stack.length > 0) {
    const item = stack.pop();
    if (item === undefined) break;
    const { value: current, path } = item;
    if (path.length >= MAX_INPUT_DEPTH)
      return at(path, `is nested deeper than ${MAX_INPUT_DEPTH} levels`);
    const isArray = Array.isArray(current);
    const keys = isArray ? undefined : Object.keys(current);
    const length = isArray ? (current as unknown[]).length : (keys?.length ?? 0);
    const keyAt = (i: number) => (keys === undefined ? String(i) : (keys[i] ?? ""));
    const childAt = (i: number): unknown =>
      keys === undefined
        ? (current as unknown[])[i]
        : (current as Record<string, unknown>)[keys[i] ?? ""];
    // This level's names and strings first (no allocation for the common good case), then its
    // containers, pushed in reverse so they are walked in document order.
    for (let i = 0; i < length; i += 1) {
      if (keys !== undefined) {
        const problem = textProblem(keyAt(i));
        if (problem !== undefined) {
          const named = at([...path, printable(keyAt(i))], "");
          return {
            field: named.field,
            message: `${named.message.trim()}: the field name ${problem}`,
          };
        }
      }
      const child = childAt(i);
      if (typeof child !== "string") continue;
      const problem = textProblem(child);
      if (problem !== undefined) return at([...path, printable(keyAt(i))], problem);
    }
    for (let i = length - 1; i >= 0; i -= 1) {
      const child = childAt(i);
      if (typeof child === "object" && child !== null)
        stack.push({ value: child, path: [...path, printable(keyAt(i))] });
    }
  }
  return undefined;
}

function check(request: FastifyRequest): void {
  const parts: Record<Part, unknown> = {
    params: request.params,
    query: request.query,
    body: request.body,
  };
  for (const part of PARTS) {
    const problem = findInputProblem(part, parts[part]);
    if (problem === undefined) continue;
    throw new Invalid(
      problem.message,
      problem.field === "" ? { field: part } : { field: problem.field },
    );
  }
}

/**
 * The one check every string of every request passes, whatever the route and the database:
 * path parameters, query and JSON body are walked after parsing and before the route's schema,
 * and a NUL, a lone surrogate or a too-deep nesting is a 400 naming the field.
 */
export function registerInputGuard(app: FastifyInstance): void {
  app.addHook("preValidation", async (request) => {
    check(request);
  });
}
