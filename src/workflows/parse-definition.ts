import {
  isMap,
  isPair,
  isScalar,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
} from "yaml";
import {
  definitionIssues,
  formatPath,
  hasExpression,
  stepKind,
  workflowDefinitionSchema,
  type WorkflowDefinition,
} from "./definition-schema.js";
import {
  compileTemplate,
  ExpressionError,
  expressionReferences,
  findExpressionEnd,
} from "./expressions.js";

export interface DefinitionError {
  /** Where in the definition, as `steps[2].input.clusters`; empty for the document itself. */
  path: string;
  message: string;
  /** From 1. */
  line: number;
  /** From 1. */
  column: number;
}

export type ParseDefinitionResult =
  { ok: true; definition: WorkflowDefinition } | { ok: false; errors: DefinitionError[] };

const MAX_SOURCE_CHARS = 1024 * 1024;

type Path = (string | number)[];

/**
 * Parses and validates a workflow definition written in YAML or JSON: the schema, then every
 * `${{ }}` expression (syntax, and that the steps, inputs and secrets it names exist where it runs).
 * Each error names its path, line and column; they come sorted by position.
 */
export function parseDefinition(source: string, format: "yaml" | "json"): ParseDefinitionResult {
  if (source.length > MAX_SOURCE_CHARS) {
    return fail([{ path: "", message: "the definition is over 1 MiB", line: 1, column: 1 }]);
  }
  const lineCounter = new LineCounter();
  const prepared = format === "yaml" ? quoteFlowExpressions(source) : { text: source, shifts: [] };
  const doc = parseDocument(prepared.text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const position = (offset: number): { line: number; column: number } => {
    const { line, col } = lineCounter.linePos(originalOffset(prepared.shifts, offset));
    return { line, column: col };
  };

  let value: unknown;
  if (format === "json") {
    try {
      value = JSON.parse(source) as unknown;
    } catch (error) {
      // Node's message may not say where; YAML (a superset of JSON) usually does.
      return fail(
        doc.errors.length > 0
          ? doc.errors.map((e) => ({
              path: "",
              message: `invalid JSON: ${yamlMessage(e.message, source, e.pos[0])}`,
              ...position(e.pos[0]),
            }))
          : [jsonSyntaxError(source, error)],
      );
    }
  } else {
    if (doc.errors.length > 0) {
      return fail(
        doc.errors.map((error) => ({
          path: "",
          message: yamlMessage(error.message, prepared.text, error.pos[0]),
          ...position(error.pos[0]),
        })),
      );
    }
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      return fail([{ path: "", message: String((error as Error).message), line: 1, column: 1 }]);
    }
  }
  // The JSON was valid; if YAML reads it differently anyway, positions fall back to the start.
  const locate = (path: Path, at: "key" | "value" = "value") =>
    format === "json" && doc.errors.length > 0
      ? { line: 1, column: 1 }
      : position(offsetOf(doc, path, at));

  const result = workflowDefinitionSchema.safeParse(value);
  if (!result.success) {
    return fail(
      definitionIssues(result.error, value).map((issue) => ({
        path: formatPath(issue.path),
        message: issue.message,
        ...locate(issue.path, issue.message.startsWith("unknown key") ? "key" : "value"),
      })),
    );
  }
  const errors = checkExpressions(result.data, value, (path, offsetInValue) => {
    const exact =
      offsetInValue === undefined
        ? undefined
        : scalarOffset(doc, prepared.text, path, offsetInValue);
    return exact === undefined ? locate(path) : position(exact);
  });
  return errors.length > 0 ? fail(errors) : { ok: true, definition: result.data };
}

function fail(errors: DefinitionError[]): ParseDefinitionResult {
  errors.sort((a, b) => a.line - b.line || a.column - b.column);
  return { ok: false, errors };
}

// The fields whose strings may hold expressions, and when they are evaluated.
const PER_STEP_FIELDS = ["if", "forEach"];
const PER_ITEM_FIELDS = [
  "connection",
  "connections",
  "region",
  "regions",
  "input",
  "transform",
  "http",
  "approval",
];

function checkExpressions(
  definition: WorkflowDefinition,
  raw: unknown,
  locate: (path: Path, offsetInValue?: number) => { line: number; column: number },
): DefinitionError[] {
  const errors: DefinitionError[] = [];
  const report = (path: Path, message: string, offsetInValue?: number) =>
    errors.push({ path: formatPath(path), message, ...locate(path, offsetInValue) });
  const stepIndex = new Map(definition.steps.map((step, i) => [step.id, i]));
  const rawSteps = (raw as { steps: Record<string, unknown>[] }).steps;

  for (const [i, step] of definition.steps.entries()) {
    const rawStep = rawSteps[i] ?? {};
    const kind = stepKind(step);
    const secrets =
      kind === "http"
        ? Object.keys((step as { http: { secrets?: object } }).http.secrets ?? {})
        : [];
    for (const field of [...PER_STEP_FIELDS, ...PER_ITEM_FIELDS]) {
      if (rawStep[field] === undefined) continue;
      for (const leaf of expressionLeaves(rawStep[field], ["steps", i, field])) {
        const label = `steps.${step.id}${formatPath(leaf.path.slice(2)).replace(/^(?!\[)/, ".")}`;
        try {
          compileTemplate(leaf.value, label);
        } catch (error) {
          if (!(error instanceof ExpressionError)) throw error;
          report(leaf.path, error.message, error.offset + Math.max(0, (error.position ?? 1) - 1));
          continue;
        }
        const refs = expressionReferences(leaf.value);
        for (const id of refs.steps) {
          const at = stepIndex.get(id);
          if (at === undefined) {
            report(leaf.path, `steps.${id}: no step has the id ${id}`);
          } else if (at >= i) {
            report(
              leaf.path,
              at === i
                ? `steps.${id}: a step cannot read its own result`
                : `steps.${id}: step ${id} runs later (steps[${at}]); an expression can read only earlier steps`,
            );
          }
        }
        for (const name of refs.inputs) {
          if (definition.inputs?.[name] === undefined) {
            report(leaf.path, `inputs.${name}: the workflow declares no input ${name}`);
          }
        }
        for (const name of refs.secrets) {
          if (!secrets.includes(name)) {
            report(
              leaf.path,
              kind === "http"
                ? `secrets.${name}: declare it under http.secrets`
                : `secrets.${name}: secrets are available only in http steps`,
            );
          }
        }
        if (refs.item) {
          const hasForEach = kind === "action" && "forEach" in step && step.forEach !== undefined;
          if (!hasForEach || PER_STEP_FIELDS.includes(field)) {
            report(
              leaf.path,
              hasForEach
                ? `item and index are not set yet when ${field} is evaluated (once, before forEach)`
                : "item and index exist only in a step with forEach",
            );
          }
        }
      }
    }
  }
  return errors;
}

function* expressionLeaves(value: unknown, path: Path): Generator<{ path: Path; value: string }> {
  if (typeof value === "string") {
    if (hasExpression(value)) yield { path, value };
  } else if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) yield* expressionLeaves(item, [...path, i]);
  } else if (typeof value === "object" && value !== null) {
    for (const [key, child] of Object.entries(value))
      yield* expressionLeaves(child, [...path, key]);
  }
}

/** The offset of the node at `path` (or of its key), else of its nearest ancestor that exists. */
function offsetOf(doc: Document, path: Path, at: "key" | "value"): number {
  for (let length = path.length; length >= 0; length--) {
    const prefix = path.slice(0, length);
    if (at === "key" && length === path.length && length > 0) {
      const parent = prefix.length === 1 ? doc.contents : doc.getIn(prefix.slice(0, -1), true);
      if (isMap(parent)) {
        const pair = parent.items.find(
          (item) => isPair(item) && isScalar(item.key) && item.key.value === path[length - 1],
        );
        const keyNode = pair?.key as Node | undefined;
        if (keyNode?.range) return keyNode.range[0];
      }
    }
    const node = (length === 0 ? doc.contents : doc.getIn(prefix, true)) as Node | null | undefined;
    if (node?.range) return node.range[0];
  }
  return 0;
}

/**
 * The offset in the source of a character of a string value, when the scalar is written so that
 * its text is the value (plain, or quoted without escapes); undefined when it is not.
 */
function scalarOffset(
  doc: Document,
  text: string,
  path: Path,
  offsetInValue: number,
): number | undefined {
  const node = doc.getIn(path, true);
  if (!isScalar(node) || node.range === undefined || node.range === null) return undefined;
  const value = node.value;
  if (typeof value !== "string") return undefined;
  const [start, end] = node.range;
  const written = text.slice(start, end);
  if (written === value) return start + offsetInValue;
  if (written.length === value.length + 2 && written.slice(1, -1) === value) {
    return start + 1 + offsetInValue;
  }
  return undefined;
}

function jsonSyntaxError(source: string, error: unknown): DefinitionError {
  const message = error instanceof Error ? error.message : String(error);
  const match = /position (\d+)/.exec(message);
  const offset = match ? Number(match[1]) : source.length;
  const before = source.slice(0, offset).split("\n");
  return {
    path: "",
    message: `invalid JSON: ${message.replace(/ in JSON at position \d+.*$/s, "")}`,
    line: before.length,
    column: (before.at(-1)?.length ?? 0) + 1,
  };
}

function yamlMessage(message: string, text: string, offset: number): string {
  const first = message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "") ?? message;
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  const line = text.slice(
    lineStart,
    text.indexOf("\n", offset) < 0 ? undefined : text.indexOf("\n", offset),
  );
  return line.includes("${{") && /[[{]/.test(line)
    ? `${first} (inside [ ] or { }, quote an expression that is not a whole value: '\${{ … }}')`
    : first;
}

/** Where text was inserted: at `at` in the new text, `count` characters. */
interface Shift {
  at: number;
  count: number;
}

function originalOffset(shifts: readonly Shift[], offset: number): number {
  let original = offset;
  for (const shift of shifts) {
    if (shift.at >= offset) break;
    original -= Math.min(shift.count, offset - shift.at);
  }
  return original;
}

/**
 * YAML's flow collections (`{ }`, `[ ]`) end a plain scalar at `{` and `}`, so
 * `input: { clusters: ${{ item.output.clusterArns }} }` — the way people write it, and the way the
 * issue's sketch does — is not YAML. Such an expression is quoted before parsing (only where it is
 * a whole plain value inside a flow collection), and positions are mapped back to the source.
 */
export function quoteFlowExpressions(source: string): { text: string; shifts: Shift[] } {
  if (!source.includes("${{")) return { text: source, shifts: [] };
  const out: string[] = [];
  const shifts: Shift[] = [];
  let outLength = 0;
  const emit = (chunk: string) => {
    out.push(chunk);
    outLength += chunk.length;
  };
  const insert = (chunk: string) => {
    shifts.push({ at: outLength, count: chunk.length });
    emit(chunk);
  };
  let depth = 0;
  let quote = "";
  let previous = "";
  let lineIndent = 0;
  let lineText = "";
  let blockIndent = -1;
  let i = 0;
  while (i < source.length) {
    const atLineStart = i === 0 || source[i - 1] === "\n";
    if (atLineStart && quote === "") {
      const next = source.indexOf("\n", i);
      const lineEnd = next < 0 ? source.length : next + 1;
      const line = source.slice(i, lineEnd);
      lineIndent = /^ */.exec(line)?.[0].length ?? 0;
      // A block scalar's lines (after `key: |`) are text, whatever they hold.
      if (blockIndent >= 0 && (line.trim() === "" || lineIndent > blockIndent)) {
        emit(line);
        i = lineEnd;
        continue;
      }
      blockIndent = -1;
      lineText = "";
      if (depth === 0) previous = "";
    }
    const ch = source[i] ?? "";
    if (quote !== "") {
      emit(ch);
      if (quote === '"' && ch === "\\") {
        emit(source[i + 1] ?? "");
        i += 2;
        continue;
      }
      if (ch === quote) {
        quote = "";
        previous = ch;
      }
      i++;
      continue;
    }
    if (ch === "\n") {
      if (depth === 0 && /(^|[\s:-])[|>][-+1-9]*\s*$/.test(lineText)) blockIndent = lineIndent;
      emit(ch);
      i++;
      continue;
    }
    if (ch === "#" && (i === 0 || /\s/.test(source[i - 1] ?? ""))) {
      const next = source.indexOf("\n", i);
      const end = next < 0 ? source.length : next;
      emit(source.slice(i, end));
      i = end;
      continue;
    }
    if (depth > 0 && source.startsWith("${{", i) && /^[[{,:]$/.test(previous)) {
      const end = findExpressionEnd(source, i + 3);
      const after = end < 0 ? "" : /^[ \t]*(.?)/.exec(source.slice(end + 2))?.[1];
      if (end >= 0 && (after === "" || /^[,}\]#\r\n]$/.test(after ?? ""))) {
        insert("'");
        for (const part of source.slice(i, end + 2).split(/(')/)) {
          if (part === "'") {
            emit("'");
            insert("'");
          } else {
            emit(part);
          }
        }
        insert("'");
        lineText += "'…'";
        previous = "'";
        i = end + 2;
        continue;
      }
    }
    if ((ch === '"' || ch === "'") && (previous === "" || /^[[{,:?-]$/.test(previous))) {
      quote = ch;
    } else if (ch === "{" || ch === "[") {
      depth++;
    } else if ((ch === "}" || ch === "]") && depth > 0) {
      depth--;
    }
    if (!/\s/.test(ch)) previous = ch;
    lineText += ch;
    emit(ch);
    i++;
  }
  return { text: out.join(""), shifts };
}
