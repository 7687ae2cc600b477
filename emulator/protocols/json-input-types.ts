import { AwsError } from "../aws-error.js";
import type { ServiceModel, Shape } from "../model/service-model.js";

// AWS's JSON services read the body against the operation's input shape before anything else and
// refuse a value of the wrong JSON type with SerializationException (400), in the words of their
// deserializer (as measured on the JSON 1.1 services by kinesalite/dynalite): a number where a
// string belongs is "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be
// converted to an String". Only the cases known are checked; a value of the right JSON type goes
// on to the service's own validation.
const NUMBER = "class com.amazon.coral.value.json.numbers.TruncatingBigNumber";
const LIST_START = "Start of list found where not expected";
const MAP_START = "Start of structure or map found where not expected.";

function javaClass(value: unknown): string | undefined {
  if (typeof value === "boolean") return "class java.lang.Boolean";
  if (typeof value === "number") return NUMBER;
  if (typeof value === "string") return "class java.lang.String";
  return undefined;
}

function mismatch(shape: Shape, value: unknown): string | undefined {
  const isList = Array.isArray(value);
  const isObject = typeof value === "object" && value !== null && !isList;
  switch (shape.type) {
    case "structure":
      return isList ? LIST_START : isObject ? undefined : "Expected null";
    case "map":
      return isList ? LIST_START : isObject ? undefined : "Expected map or null";
    case "list":
      return isObject ? MAP_START : isList ? undefined : "Expected list or null";
    case "string":
      if (isList) return LIST_START;
      if (isObject) return MAP_START;
      return typeof value === "string"
        ? undefined
        : `${javaClass(value) ?? ""} can not be converted to an String`;
    case "integer":
    case "long": {
      if (isList) return LIST_START;
      if (isObject) return MAP_START;
      const target = shape.type === "integer" ? "Integer" : "Long";
      return typeof value === "string" || typeof value === "boolean"
        ? `${javaClass(value) ?? ""} can not be converted to an ${target}`
        : undefined;
    }
    case "boolean":
      if (isList) return LIST_START;
      if (isObject) return MAP_START;
      if (typeof value === "string") return `'${value}' can not be converted to an Boolean`;
      return typeof value === "number" ? `${NUMBER} can not be converted to an Boolean` : undefined;
    default:
      // Numbers of other kinds, timestamps and blobs: only a container is known to be refused.
      return isList ? LIST_START : isObject ? MAP_START : undefined;
  }
}

function firstMismatch(shape: Shape, value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  const own = mismatch(shape, value);
  if (own !== undefined) return own;
  if (shape.type === "structure") {
    for (const [key, member] of Object.entries(value as Record<string, unknown>)) {
      const memberShape = shape.members[key];
      // Members the model does not have are skipped, as AWS's deserializer does.
      const found = memberShape === undefined ? undefined : firstMismatch(memberShape, member);
      if (found !== undefined) return found;
    }
  } else if (shape.type === "list" && shape.member !== undefined) {
    for (const item of value as unknown[]) {
      const found = firstMismatch(shape.member, item);
      if (found !== undefined) return found;
    }
  } else if (shape.type === "map" && shape.value !== undefined) {
    for (const item of Object.values(value as Record<string, unknown>)) {
      const found = firstMismatch(shape.value, item);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/**
 * Refuses a JSON request body whose values do not have the JSON types of the operation's input, as
 * AWS's JSON services do. The query-compatible ones (SQS, CloudWatch) answer in their Query-era
 * terms and are not checked here.
 */
export function checkJsonInputTypes(model: ServiceModel, shape: Shape, input: unknown): void {
  if (model.protocol !== "json" || model.awsQueryCompatible) return;
  const message = firstMismatch(shape, input);
  if (message !== undefined)
    throw new AwsError("SerializationException", message, 400, "Sender", {
      messageField: "Message",
    });
}
