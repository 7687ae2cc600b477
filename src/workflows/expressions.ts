import jsonata from "jsonata";
import { Invalid } from "../errors.js";
import { distinct, sort } from "./bounded-builtins.js";

/** What `${{ }}` expressions see. Every value is plain JSON. */
export interface ExpressionContext {
  inputs: Record<string, unknown>;
  steps: Record<string, StepContext>;
  run: { id: string; startedBy: string };
  /** Inside forEach: the current item and its index (from 0). */
  item?: unknown;
  index?: number;
  /** In an http step: its secrets, read from the key store. */
  secrets?: Record<string, string>;
}

export interface StepContext {
  status: string;
  output?: unknown;
  targets?: TargetContext[];
}

export interface TargetContext {
  connection: string;
  accountId: string | null;
  region: string;
  status: string;
  output?: unknown;
  error?: { code: string; message: string };
}

export interface ExpressionLimits {
  /** Wall time of one expression's evaluation. */
  timeoutMs: number;
  /** Size of a result as JSON (UTF-8), and of any string built on the way. */
  maxBytes: number;
  /** Nesting of evaluation: stops runaway recursion before Node's own stack does. */
  maxDepth?: number;
}

export const DEFAULT_EXPRESSION_LIMITS: Required<ExpressionLimits> = {
  timeoutMs: 1000,
  maxBytes: 1024 * 1024,
  maxDepth: 500,
};

// Longest sequence an expression may build ([1..n], $append, a path over many items): a bound on
// memory that the time bound alone would not give, since one range allocates all at once, and on
// the time of one builtin call, which JSONata's time bound cannot interrupt. At 100,000 items the
// slowest builtin call measured ($string or $join of a whole range, $shuffle, $zip, $append) took
// under 0.1 s; at 1,000,000 about 1 s, on top of the time bound.
export const MAX_SEQUENCE = 100_000;

/** An expression failed to compile or to evaluate; names where it is and what it is. */
export class ExpressionError extends Invalid {
  readonly path: string;
  readonly expression: string;
  /** Where the expression's text starts in the string that holds it (after `${{`). */
  readonly offset: number;
  /** Where JSONata found the problem in the expression's text (from 1), when it says. */
  readonly position: number | undefined;

  constructor(details: {
    path: string;
    expression: string;
    offset: number;
    position?: number | undefined;
    reason: string;
    cause?: unknown;
  }) {
    const shown =
      details.expression.length > 80 ? `${details.expression.slice(0, 77)}...` : details.expression;
    const at = details.position === undefined ? "" : ` at position ${details.position}`;
    super(`${details.path}: \${{${shown}}}: ${details.reason}${at}`, {
      code: "EXPRESSION_FAILED",
      field: details.path,
      cause: details.cause,
    });
    this.path = details.path;
    this.expression = details.expression;
    this.offset = details.offset;
    this.position = details.position;
  }
}

interface Segment {
  text: string;
  /** The expression's source between `${{` and `}}`, when this segment is one. */
  expression?: { source: string; offset: number };
}

/**
 * Splits a string into text and `${{ … }}` parts. The end is the first `}}` outside JSONata
 * strings, comments and braces, so an object constructor (`${{ {"a": {"b": 1}} }}`) stays whole.
 */
export function splitTemplate(value: string): Segment[] | { unclosedAt: number } {
  const segments: Segment[] = [];
  let cursor = 0;
  for (;;) {
    const start = value.indexOf("${{", cursor);
    if (start < 0) break;
    if (start > cursor) segments.push({ text: value.slice(cursor, start) });
    const from = start + 3;
    const end = findExpressionEnd(value, from);
    if (end < 0) return { unclosedAt: start };
    segments.push({
      text: value.slice(start, end + 2),
      expression: { source: value.slice(from, end), offset: from },
    });
    cursor = end + 2;
  }
  if (cursor < value.length) segments.push({ text: value.slice(cursor) });
  return segments;
}

/** The index of the `}}` that closes an expression whose text starts at `from`; -1 if none. */
export function findExpressionEnd(value: string, from: number): number {
  let depth = 0;
  for (let i = from; i < value.length; i++) {
    const ch = value[i];
    if (ch === '"' || ch === "'" || ch === "`") {
      i = skipQuoted(value, i, ch);
    } else if (ch === "/" && value[i + 1] === "*") {
      const close = value.indexOf("*/", i + 2);
      if (close < 0) return -1;
      i = close + 1;
    } else if (ch === "{") {
      depth++;
    } else if (ch === "}") {
      if (depth === 0 && value[i + 1] === "}") return i;
      depth = Math.max(0, depth - 1);
    }
  }
  return -1;
}

function skipQuoted(value: string, start: number, quote: string): number {
  for (let i = start + 1; i < value.length; i++) {
    if (value[i] === "\\" && quote !== "`") i++;
    else if (value[i] === quote) return i;
  }
  return value.length;
}

// jsonata's typings leave out the "path" node that a.b.c parses to.
interface AstNode {
  type: string;
  value?: unknown;
  steps?: AstNode[];
  position?: number;
  signature?: unknown;
}

interface CompiledExpression {
  source: string;
  offset: number;
  path: string;
  ast: AstNode;
}

/** A value whose strings may hold expressions, ready to evaluate again and again. */
export interface Template {
  /** Whether any string in it holds an expression; if not, evaluate gives back the value. */
  readonly dynamic: boolean;
  evaluate(context: ExpressionContext, limits?: ExpressionLimits): Promise<unknown>;
}

type Node =
  | { kind: "literal"; value: unknown }
  | { kind: "expression"; expression: CompiledExpression }
  | { kind: "interpolation"; parts: (string | CompiledExpression)[] }
  | { kind: "array"; items: Node[] }
  | { kind: "object"; entries: [string, Node][] };

/**
 * Compiles every `${{ }}` in a value (deeply through objects and arrays). `path` names the value
 * in errors, e.g. `steps.details.forEach`. Throws an ExpressionError on a syntax error.
 */
export function compileTemplate(value: unknown, path: string): Template {
  const root = compileNode(value, path);
  return {
    dynamic: isDynamic(root),
    evaluate: async (context, limits = DEFAULT_EXPRESSION_LIMITS) => {
      const full = { ...DEFAULT_EXPRESSION_LIMITS, ...limits };
      const result = await evaluateNode(root, context, full);
      if (isDynamic(root)) ensureSize(result, full.maxBytes, path);
      return result;
    },
  };
}

function isDynamic(node: Node): boolean {
  switch (node.kind) {
    case "literal":
      return false;
    case "array":
      return node.items.some(isDynamic);
    case "object":
      return node.entries.some(([, child]) => isDynamic(child));
    default:
      return true;
  }
}

function childPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key)
    ? `${path}.${key}`
    : `${path}[${JSON.stringify(key)}]`;
}

function compileNode(value: unknown, path: string): Node {
  if (typeof value === "string") return compileString(value, path);
  if (Array.isArray(value)) {
    return { kind: "array", items: value.map((item, i) => compileNode(item, childPath(path, i))) };
  }
  if (typeof value === "object" && value !== null) {
    return {
      kind: "object",
      entries: Object.entries(value).map(([key, child]) => [
        key,
        compileNode(child, childPath(path, key)),
      ]),
    };
  }
  return { kind: "literal", value };
}

function compileString(value: string, path: string): Node {
  const segments = splitTemplate(value);
  if (!Array.isArray(segments)) {
    throw new ExpressionError({
      path,
      expression: value.slice(segments.unclosedAt + 3),
      offset: segments.unclosedAt + 3,
      reason: "expected }} to close the expression",
    });
  }
  const parts = segments.map((segment) =>
    segment.expression === undefined
      ? segment.text
      : compileExpression(segment.expression.source, segment.expression.offset, path),
  );
  if (parts.length === 1 && typeof parts[0] === "object") {
    return { kind: "expression", expression: parts[0] };
  }
  if (parts.every((part) => typeof part === "string")) return { kind: "literal", value };
  return { kind: "interpolation", parts };
}

function compileExpression(source: string, offset: number, path: string): CompiledExpression {
  if (source.trim() === "") {
    throw new ExpressionError({
      path,
      expression: source,
      offset,
      reason: "the expression is empty",
    });
  }
  let ast: AstNode;
  try {
    ast = parsed(source);
  } catch (error) {
    throw asExpressionError(error, { source, offset, path });
  }
  const refusal = refusedConstruct(ast, source);
  if (refusal !== undefined) {
    throw new ExpressionError({ path, expression: source, offset, ...refusal });
  }
  return { source, offset, path, ast };
}

/**
 * The first construct that would run a regular expression built from the workflow's text: a
 * regex literal, or a lambda's signature (JSONata checks arguments against a RegExp made from
 * it). A regular expression is matched synchronously, so JSONata's timeout cannot stop one that
 * backtracks for minutes, and no pattern check tells every such regex apart: none are allowed.
 */
function refusedConstruct(
  ast: AstNode,
  source: string,
): { reason: string; position?: number } | undefined {
  let found: { reason: string; position?: number } | undefined;
  visit(ast, (node) => {
    if (found !== undefined) return;
    if (node.type === "regex") {
      // JSONata puts a regex's position past its end (and adds flags of its own to the RegExp):
      // the error points at the literal's opening slash, found back from there.
      const pattern = node.value instanceof RegExp ? node.value.source : "";
      const start =
        typeof node.position === "number" ? source.lastIndexOf(`/${pattern}/`, node.position) : -1;
      found = {
        reason:
          "regular expressions are not allowed in workflow expressions: use $contains/$split/$replace with a string",
        ...(start >= 0 ? { position: start + 1 } : {}),
      };
    } else if (node.type === "lambda" && node.signature !== undefined) {
      found = {
        reason:
          "function signatures are not allowed in workflow expressions (JSONata checks them with a regular expression)",
        ...(typeof node.position === "number" ? { position: node.position } : {}),
      };
    }
  });
  return found;
}

function asExpressionError(
  error: unknown,
  expression: { source: string; offset: number; path: string },
): ExpressionError {
  if (error instanceof ExpressionError) return error;
  const details = error as { message?: unknown; position?: unknown; code?: unknown };
  const message =
    details.code === "D2015"
      ? `the expression builds a list of more than ${MAX_SEQUENCE} items, the bound in workflow expressions`
      : typeof details.message === "string"
        ? details.message
        : String(error);
  return new ExpressionError({
    path: expression.path,
    expression: expression.source,
    offset: expression.offset,
    position: typeof details.position === "number" ? details.position : undefined,
    reason: message,
    cause: error,
  });
}

async function evaluateNode(
  node: Node,
  context: ExpressionContext,
  limits: Required<ExpressionLimits>,
): Promise<unknown> {
  switch (node.kind) {
    case "literal":
      return node.value;
    case "expression":
      return evaluateExpression(node.expression, context, limits);
    case "interpolation": {
      let text = "";
      for (const part of node.parts) {
        text +=
          typeof part === "string" ? part : asText(await evaluateExpression(part, context, limits));
      }
      return text;
    }
    case "array": {
      const items: unknown[] = [];
      for (const item of node.items) items.push(await evaluateNode(item, context, limits));
      return items;
    }
    case "object": {
      // A null-prototype object: a key named __proto__ stays a plain key.
      const result = Object.create(null) as Record<string, unknown>;
      for (const [key, child] of node.entries) {
        const value = await evaluateNode(child, context, limits);
        // No match gives undefined: the key is left out, as JSON would.
        if (value !== undefined) result[key] = value;
      }
      return { ...result };
    }
  }
}

function asText(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/** A refusal of ours inside JSONata's evaluation; JSONata keeps its message. */
class RefusedByBound extends Error {}

/**
 * The regex engine JSONata is given. Compilation refuses regex literals, so it is never reached;
 * it is here so that a path we did not foresee fails instead of matching without a time bound.
 */
class NoRegExp {
  constructor() {
    throw new RefusedByBound("regular expressions are not allowed in workflow expressions");
  }
}

/**
 * $toMillis with a picture builds a RegExp from that picture, which can backtrack for minutes
 * ("[Yw]" twelve times): only its picture-less form (ISO 8601, a fixed pattern) is offered.
 */
const TO_MILLIS = jsonata("$toMillis($timestamp)");

async function toMillisWithoutPicture(
  timestamp: string | undefined,
  picture?: string,
): Promise<unknown> {
  if (picture !== undefined) {
    throw new RefusedByBound(
      "$toMillis with a picture is not available in workflow expressions (it builds a regular expression): give an ISO 8601 timestamp",
    );
  }
  if (timestamp === undefined) return undefined;
  return TO_MILLIS.evaluate(null, { timestamp });
}

/**
 * The syntax tree of an expression, kept per source (read only by its users): a run's definition
 * is compiled, and its steps' references found, on every advance of every run — parsing them
 * anew was 40% of a worker's CPU running runs of small transform steps. A source that does not
 * parse throws each time.
 */
const parsedSources = new Map<string, AstNode>();

function parsed(source: string): AstNode {
  const cached = parsedSources.get(source);
  if (cached !== undefined) return cached;
  const ast = jsonata(source).ast();
  if (parsedSources.size >= MAX_COMPILED) parsedSources.clear();
  parsedSources.set(source, ast);
  return ast;
}

/**
 * Parsed JSONata expressions with their functions, kept per (source, limits): a workflow's
 * expressions are evaluated again for every run, step and item, and parsing is most of a small
 * expression's cost. An evaluation gets its own frame (bindings, depth, time bound); the
 * expression object is shared, as JSONata allows.
 */
const compiledExpressions = new Map<string, jsonata.Expression>();
const MAX_COMPILED = 1000;

function compiledFor(
  source: string,
  limits: Required<ExpressionLimits>,
  tooBig: (what: string) => Error,
): jsonata.Expression {
  const key = `${limits.timeoutMs}|${limits.maxDepth}|${limits.maxBytes}|${source}`;
  const cached = compiledExpressions.get(key);
  if (cached !== undefined) return cached;
  const compiled = jsonata(source, {
    timeout: limits.timeoutMs,
    stack: limits.maxDepth,
    sequence: MAX_SEQUENCE,
    RegexEngine: NoRegExp as unknown as RegExpConstructor,
  });
  compiled.registerFunction("toMillis", toMillisWithoutPicture, "<s-s?:n>");
  // JSONata's own $distinct and $sort are quadratic in one synchronous call (see
  // bounded-builtins.ts): the same functions, in linear and n log n time.
  compiled.registerFunction("distinct", distinct, "<x:x>");
  compiled.registerFunction("sort", sort, "<af?:a>");
  compiled.assign("eval", () => {
    // Data from AWS or a webhook must never become code, even JSONata code.
    throw new RefusedByBound("$eval is not available in workflow expressions");
  });
  compiled.registerFunction(
    "pad",
    (text: string | undefined, width: number, char?: string) => {
      if (Math.abs(width) > limits.maxBytes) throw tooBig("$pad's result");
      return padText(text, width, char);
    },
    "<s-ns?:s>",
  );
  // Strings that double at each step would reach Node's string limit long before the time
  // bound: each evaluated node's string result is checked as it comes out.
  compiled.assign(
    Symbol.for("jsonata.__evaluate_exit") as unknown as string,
    (...args: unknown[]) => {
      const result = args[3];
      if (typeof result === "string" && result.length > limits.maxBytes) {
        throw tooBig("a string built by the expression");
      }
    },
  );
  if (compiledExpressions.size >= MAX_COMPILED) compiledExpressions.clear();
  compiledExpressions.set(key, compiled);
  return compiled;
}

async function evaluateExpression(
  expression: CompiledExpression,
  context: ExpressionContext,
  limits: Required<ExpressionLimits>,
): Promise<unknown> {
  const tooBig = (what: string) =>
    new RefusedByBound(`${what} is larger than ${limits.maxBytes} bytes`);
  try {
    const compiled = compiledFor(expression.source, limits, tooBig);
    const result: unknown = await compiled.evaluate(context);
    if (isFunction(result)) {
      throw new RefusedByBound("the expression gives a function, not a value");
    }
    return toJson(result, limits.maxBytes, expression.path);
  } catch (error) {
    throw asExpressionError(error, expression);
  }
}

function padText(text: string | undefined, width: number, char = " "): string | undefined {
  if (text === undefined) return undefined;
  const fill = char === "" ? " " : char;
  const missing = Math.abs(Math.trunc(width)) - [...text].length;
  if (missing <= 0) return text;
  const padding = [...fill.repeat(Math.ceil(missing / [...fill].length))]
    .slice(0, missing)
    .join("");
  return width > 0 ? text + padding : padding + text;
}

function isFunction(value: unknown): boolean {
  return (
    typeof value === "function" ||
    (typeof value === "object" &&
      value !== null &&
      ("_jsonata_function" in value || "_jsonata_lambda" in value))
  );
}

/**
 * Plain JSON out of JSONata's result (its sequences carry flags, its functions are objects);
 * refused over the size bound.
 */
function toJson(value: unknown, maxBytes: number, path: string): unknown {
  if (value === undefined) return undefined;
  const json = JSON.stringify(value, (_key, v: unknown) => (isFunction(v) ? undefined : v));
  if (json === undefined) return undefined;
  ensureJsonSize(json, maxBytes, path);
  return JSON.parse(json) as unknown;
}

function ensureSize(value: unknown, maxBytes: number, path: string): void {
  if (value === undefined) return;
  const json = JSON.stringify(value);
  if (json !== undefined) ensureJsonSize(json, maxBytes, path);
}

function ensureJsonSize(json: string, maxBytes: number, path: string): void {
  // UTF-8 takes at most 3 bytes per UTF-16 unit: count only when the quick bound is not enough.
  const bytes = json.length * 3 <= maxBytes ? json.length : new TextEncoder().encode(json).length;
  if (bytes > maxBytes) {
    throw new RefusedByBound(
      `the result is ${bytes} bytes of JSON, over the ${maxBytes}-byte bound (${path})`,
    );
  }
}

/** What a value's expressions read from the context: step ids, input names, secrets, item/index. */
export interface ExpressionReferences {
  steps: string[];
  inputs: string[];
  secrets: string[];
  /** Whether it reads item or index (only meaningful inside forEach). */
  item: boolean;
}

/**
 * The names a value's expressions reach at the root of the context: `steps.X`, `inputs.X`,
 * `secrets.X`, `item`, `index`. Expressions that do not compile are skipped (compileTemplate
 * reports them); a name built at run time (`$lookup(steps, $x)`) cannot be seen.
 */
export function expressionReferences(value: unknown): ExpressionReferences {
  const found = { steps: new Set<string>(), inputs: new Set<string>(), secrets: new Set<string>() };
  let item = false;
  for (const source of expressionSources(value)) {
    let ast: AstNode;
    try {
      ast = parsed(source);
    } catch {
      continue;
    }
    visit(ast, (node) => {
      const first = rootName(node);
      if (first === "item" || first === "index") item = true;
      if (node.type !== "path" || node.steps === undefined) return;
      const second = node.steps[1];
      if (second?.type !== "name" || typeof second.value !== "string") return;
      if (first === "steps" || first === "inputs" || first === "secrets") {
        found[first].add(second.value);
      }
    });
  }
  return {
    steps: [...found.steps],
    inputs: [...found.inputs],
    secrets: [...found.secrets],
    item,
  };
}

/**
 * The items forEach runs over: JSONata gives a single match as the value itself rather than a
 * list of one, and no match as undefined.
 */
export function asItems(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** The ids of the steps whose results a value's expressions read (`steps.<id>…`). */
export function referencedSteps(value: unknown): string[] {
  return expressionReferences(value).steps;
}

function rootName(node: AstNode): string | undefined {
  if (node.type === "name" && typeof node.value === "string") return node.value;
  const first = node.type === "path" ? node.steps?.[0] : undefined;
  return first?.type === "name" && typeof first.value === "string" ? first.value : undefined;
}

function visit(node: unknown, onNode: (node: AstNode) => void, seen = new Set<object>()): void {
  // JSONata's AST shares objects between nodes (slots, tuples), so each is visited once.
  if (typeof node !== "object" || node === null || seen.has(node)) return;
  seen.add(node);
  if (Array.isArray(node)) {
    for (const child of node) visit(child, onNode, seen);
    return;
  }
  if (typeof (node as { type?: unknown }).type === "string") onNode(node as AstNode);
  for (const child of Object.values(node)) visit(child, onNode, seen);
}

function* expressionSources(value: unknown): Generator<string> {
  if (typeof value === "string") {
    const segments = splitTemplate(value);
    if (!Array.isArray(segments)) return;
    for (const segment of segments) {
      if (segment.expression !== undefined) yield segment.expression.source;
    }
  } else if (Array.isArray(value)) {
    for (const item of value) yield* expressionSources(item);
  } else if (typeof value === "object" && value !== null) {
    for (const child of Object.values(value)) yield* expressionSources(child);
  }
}
