import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { AwsError } from "../aws-error.js";
import type { ServiceModel } from "./service-model.js";

/** A shape of `constraints/<service>.json`: botocore's constraints, members by shape name. */
type ConstrainedShape = {
  type: string;
  required?: string[];
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  sensitive?: boolean;
  members?: Record<string, string>;
  member?: string;
  key?: string;
  value?: string;
};

type Constraints = {
  operations: Record<string, string>;
  shapes: Record<string, ConstrainedShape>;
  patterns: Map<string, RegExp | undefined>;
};

// How each service answers input outside its model's constraints, where it is known. They share
// the validation layer's wording ("1 validation error detected: Value '' at 'secretId' failed to
// satisfy constraint: Member must have length greater than or equal to 1"), under their own code:
// Logs answers InvalidParameterException; Lambda (REST-JSON) ValidationException, on members of
// the path and query string as well as the body ("Value 'Not Installed' at 'functionName' failed to
// satisfy constraint: Member must satisfy regular expression pattern: …", "Value '…' at
// 'functionName' failed to satisfy constraint: Member must have length less than or equal to 64
// (Service: Lambda, Status Code: 400…)", as reported from AWS). Enums are checked where the service is known to refuse
// an unknown value this way, listing the values in the model's order (DynamoDB, measured: "Value
// 'BOGUS' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value
// set: [INDEXES, TOTAL, NONE]"); for the others an unknown value goes on to the operation, which
// answers in its own words.
const SERVICES: Record<string, { code: string; enums: boolean }> = {
  dynamodb: { code: "ValidationException", enums: true },
  lambda: { code: "ValidationException", enums: false },
  secretsmanager: { code: "ValidationException", enums: false },
  logs: { code: "InvalidParameterException", enums: false },
};

const loaded = new Map<string, Constraints>();

function constraintsOf(service: string): Constraints {
  let found = loaded.get(service);
  if (found === undefined) {
    const file = join(dirname(fileURLToPath(import.meta.url)), "constraints", `${service}.json`);
    const data = JSON.parse(readFileSync(file, "utf8")) as Omit<Constraints, "patterns">;
    found = { ...data, patterns: new Map() };
    loaded.set(service, found);
  }
  return found;
}

// The models' patterns are Java regular expressions, matched against the whole value. Most read the
// same in JavaScript's Unicode mode; one that does not (a POSIX class such as \p{Print}) is left
// unchecked rather than misread.
function patternOf(constraints: Constraints, pattern: string): RegExp | undefined {
  if (constraints.patterns.has(pattern)) return constraints.patterns.get(pattern);
  let regex: RegExp | undefined;
  try {
    regex = new RegExp(`^(?:${pattern})$`, "u");
  } catch {
    if (!pattern.includes("\\p{"))
      try {
        regex = new RegExp(`^(?:${pattern})$`);
      } catch {
        regex = undefined;
      }
  }
  constraints.patterns.set(pattern, regex);
  return regex;
}

// The value as the message shows it (Java's toString: lists as [a, b]).
function shown(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(shown).join(", ")}]`;
  if (typeof value === "object" && value !== null)
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}=${shown(v)}`)
      .join(", ")}}`;
  return String(value);
}

const lowerFirst = (name: string) => `${name.charAt(0).toLowerCase()}${name.slice(1)}`;

type Found = { value: string | null; path: string; constraint: string };

function check(
  constraints: Constraints,
  enums: boolean,
  shape: ConstrainedShape,
  value: unknown,
  path: string,
  sensitive: boolean,
  out: Found[],
): void {
  const secret = sensitive || shape.sensitive === true;
  const fail = (constraint: string) => {
    out.push({ value: secret ? null : `'${shown(value)}'`, path, constraint });
  };
  if (typeof value === "string") {
    if (shape.pattern !== undefined) {
      const regex = patternOf(constraints, shape.pattern);
      if (regex !== undefined && !regex.test(value))
        fail(`Member must satisfy regular expression pattern: ${shape.pattern}`);
    }
    if (enums && shape.enum !== undefined && !shape.enum.includes(value))
      fail(`Member must satisfy enum value set: [${shape.enum.join(", ")}]`);
  }
  if (typeof value === "number") {
    if (shape.min !== undefined && value < shape.min)
      fail(`Member must have value greater than or equal to ${String(shape.min)}`);
    if (shape.max !== undefined && value > shape.max)
      fail(`Member must have value less than or equal to ${String(shape.max)}`);
  }
  const length =
    typeof value === "string"
      ? value.length
      : Array.isArray(value)
        ? value.length
        : shape.type === "map" && typeof value === "object" && value !== null
          ? Object.keys(value).length
          : undefined;
  if (length !== undefined && shape.type !== "blob") {
    if (shape.min !== undefined && length < shape.min)
      fail(`Member must have length greater than or equal to ${String(shape.min)}`);
    if (shape.max !== undefined && length > shape.max)
      fail(`Member must have length less than or equal to ${String(shape.max)}`);
  }

  if (shape.type === "structure" && typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>;
    for (const [name, shapeName] of Object.entries(shape.members ?? {})) {
      const memberPath = path === "" ? lowerFirst(name) : `${path}.${lowerFirst(name)}`;
      const member = record[name];
      if (member === undefined || member === null) {
        if (shape.required?.includes(name) === true)
          out.push({ value: "null", path: memberPath, constraint: "Member must not be null" });
        continue;
      }
      const memberShape = constraints.shapes[shapeName];
      if (memberShape !== undefined)
        check(constraints, enums, memberShape, member, memberPath, secret, out);
    }
  } else if (shape.type === "list" && Array.isArray(value) && shape.member !== undefined) {
    const itemShape = constraints.shapes[shape.member];
    if (itemShape !== undefined)
      value.forEach((item, index) => {
        if (item !== null && item !== undefined)
          check(
            constraints,
            enums,
            itemShape,
            item,
            `${path}.${String(index + 1)}.member`,
            secret,
            out,
          );
      });
  }
}

/**
 * Refuses a JSON or REST-JSON request whose values break its operation's constraints (length, range, pattern,
 * enum where enforced, required members at any depth), as the services named above do before the
 * operation runs: every error found, in one message. Other services are not checked here.
 */
export function checkInputConstraints(
  model: ServiceModel,
  operationName: string,
  input: Record<string, unknown>,
): void {
  const service = SERVICES[model.name];
  if (service === undefined || (model.protocol !== "json" && model.protocol !== "rest-json"))
    return;
  const constraints = constraintsOf(model.name);
  const shapeName = constraints.operations[operationName];
  const shape = shapeName === undefined ? undefined : constraints.shapes[shapeName];
  if (shape === undefined) return;
  const found: Found[] = [];
  check(constraints, service.enums, shape, input, "", false, found);
  if (found.length === 0) return;
  const detail = found
    .map(
      (f) =>
        `Value${f.value === null ? "" : ` ${f.value}`} at '${f.path}' failed to satisfy constraint: ${f.constraint}`,
    )
    .join("; ");
  throw new AwsError(
    service.code,
    `${String(found.length)} validation error${found.length === 1 ? "" : "s"} detected: ${detail}`,
    400,
  );
}
