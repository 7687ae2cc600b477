import { Stream } from "node:stream";
import type { RedactionPlan } from "./redaction-plan.js";

// Keys whose values are secrets in AWS requests and responses (Secrets Manager values, STS
// credentials, RDS master passwords, private keys, EC2 user data, ECR/Cognito/ECS session tokens
// …). A list is not masked because of its name alone: `SecretList` is metadata. Written as
// suffixes rather than `^(.*password|…)$`, which backtracks once per alternative on every key.
const SECRET_KEY =
  /(?:^(?:secretstring|secretbinary|secretaccesskey|privatekey|keymaterial|plaintext|userdata|tokenvalue)|password|secret|token)$/i;

// Names ending in "Token" that are no secret and that users need back: pagination (lower-cased,
// looked up only when SECRET_KEY matched), idempotency and sequence tokens.
const NOT_SECRET_TOKEN = new Set([
  "nexttoken",
  "continuationtoken",
  "nextcontinuationtoken",
  "paginationtoken",
  "pagetoken",
  "nextpagetoken",
  "nextforwardtoken",
  "nextbackwardtoken",
  "startingtoken",
  "clienttoken",
  "clientrequesttoken",
  "idempotencytoken",
  "sequencetoken",
  "nextsequencetoken",
  "uploadsequencetoken",
  "expectedsequencetoken",
]);

// Lists of environment variables, `[{ name, value }]`: ECS container definitions and overrides,
// Batch, CodeBuild (`[{ name, value, type }]`). As an object, `environment` is a structure
// (CodeBuild's build environment, MWAA's environment), walked as usual.
const ENV_LIST_KEYS = new Set([
  "environment",
  "Environment",
  "environmentVariables",
  "EnvironmentVariables",
]);

// Maps of environment variable name to value: Amplify apps and branches, App Runner services
// (Lambda's `Environment.Variables` is matched by its parent key).
const ENV_MAP_KEYS = new Set([
  "environmentVariables",
  "EnvironmentVariables",
  "runtimeEnvironmentVariables",
  "RuntimeEnvironmentVariables",
]);

// A CodeBuild variable of these types holds the name or ARN of a parameter or secret.
const REFERENCE_TYPES = new Set(["PARAMETER_STORE", "SECRETS_MANAGER"]);

// Elastic Beanstalk keeps an environment's variables as option settings in this namespace.
const BEANSTALK_ENV_NAMESPACE = "aws:elasticbeanstalk:application:environment";

// A presigned URL is a bearer credential: its query holds the signature and, for temporary
// credentials, the session token, which is worth far more than the one object it opens (SigV4's
// X-Amz-*, SigV2's and CloudFront's Signature). Nested in another URL it is percent-encoded.
const PRESIGNED = /(?:x-amz-(?:signature|security-token)|[?&]signature)(?:=|%3d)/i;
const URL_WITH_QUERY = /[a-z][a-z0-9+.-]*:\/\/[^\s?#"'<>]*\?[^\s"'<>]*/gi;

export const REDACTED = "[redacted]";
const STREAM = "[stream: not stored]";
const CIRCULAR = "[circular]";

type Entries = Iterable<readonly [string, unknown]>;

/**
 * A deep copy, safe to store as JSON, with secrets masked: the members the plan (AWS's service
 * model of the operation, see redactionPlanOf) marks, secret-looking keys, environment variable
 * values, and the query of any presigned URL. A stream (an S3 object's body, an event stream) is
 * not read: it is replaced by a note and destroyed, so its connection is released.
 */
export function redact(value: unknown, plan?: RedactionPlan): unknown {
  return copy(value, "", [], plan);
}

/**
 * The string with the query of each presigned URL in it replaced (the URL's location stays, so a
 * reader still sees which bucket and object it opened); masked whole if a signature is left.
 */
export function maskPresignedUrls(text: string): string {
  if (!PRESIGNED.test(text)) return text;
  const masked = text.replace(URL_WITH_QUERY, (url) =>
    PRESIGNED.test(url) ? `${url.slice(0, url.indexOf("?"))}?${REDACTED}` : url,
  );
  return PRESIGNED.test(masked) ? REDACTED : masked;
}

// `ancestors` holds the objects on the path from the root, so a cycle ends in a note while an
// object that is merely referenced twice is copied twice. A stack rather than a WeakSet: outputs
// are a few levels deep, and searching a short array costs less than hashing every object.
function copy(value: unknown, key: string, ancestors: object[], plan?: RedactionPlan): unknown {
  if (typeof value === "string") return maskPresignedUrls(value);
  if (typeof value !== "object" || value === null)
    return typeof value === "bigint" ? value.toString() : value;
  if (ancestors.includes(value)) return CIRCULAR;
  ancestors.push(value);
  const out = copyObject(value, key, ancestors, plan);
  ancestors.pop();
  return out;
}

function copyObject(
  value: object,
  key: string,
  ancestors: object[],
  plan: RedactionPlan | undefined,
): unknown {
  if (Array.isArray(value)) {
    const items = plan?.kind === "list" ? plan.items : undefined;
    return value.map((v) => copy(v, "", ancestors, items));
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null)
    return copyInstance(value, key, ancestors, plan);
  if (isStream(value)) return release(value);
  const out = copyEntries(Object.entries(value), key, ancestors, plan, value);
  // SSM parameters (GetParameter with decryption, GetParameterHistory, PutParameter's input).
  if ((value as { Type?: unknown }).Type === "SecureString" && out.Value != null)
    out.Value = REDACTED;
  return out;
}

function copyInstance(
  value: object,
  key: string,
  ancestors: object[],
  plan: RedactionPlan | undefined,
): unknown {
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer)
    return `[${value.byteLength} bytes]`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (isStream(value)) return release(value);
  if (value instanceof Map)
    return copyEntries(
      Array.from(value, ([k, v]: [unknown, unknown]) => [String(k), v] as const),
      key,
      ancestors,
      plan,
      {},
    );
  if (value instanceof Set)
    return Array.from(value, (v) =>
      copy(v, "", ancestors, plan?.kind === "list" ? plan.items : undefined),
    );
  if (value instanceof String || value instanceof Number || value instanceof Boolean)
    return value.valueOf();
  // As JSON.stringify would: the SDK's LazyJsonString (a String object), URL …
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function") {
    const json: unknown = toJSON.call(value, key);
    if (json !== value) return copy(json, key, ancestors, plan);
  }
  return copyEntries(Object.entries(value), key, ancestors, plan, value);
}

function copyEntries(
  entries: Entries,
  key: string,
  ancestors: object[],
  plan: RedactionPlan | undefined,
  parent: object,
) {
  const out: Record<string, unknown> = {};
  if (plan?.kind === "struct") {
    for (const [k, v] of entries)
      out[k] = copyEntry(k, v, key, ancestors, plan.members.get(k), parent);
  } else {
    const values = plan?.kind === "map" ? plan.values : undefined;
    for (const [k, v] of entries) out[k] = copyEntry(k, v, key, ancestors, values, parent);
  }
  return out;
}

function copyEntry(
  k: string,
  v: unknown,
  parentKey: string,
  ancestors: object[],
  plan: RedactionPlan | undefined,
  parent: object,
): unknown {
  if (v === null || v === undefined) return v;
  if (plan?.kind === "mask") return maskMember(k, v, parentKey, ancestors, plan.how, parent);
  if (SECRET_KEY.test(k) && !NOT_SECRET_TOKEN.has(k.toLowerCase())) return REDACTED;
  if (typeof v === "object") {
    if (Array.isArray(v)) {
      if (ENV_LIST_KEYS.has(k)) return v.map((item) => envVariable(item, ancestors));
      if (k === "OptionSettings") return v.map((item) => beanstalkOption(item, ancestors));
    } else if (ENV_MAP_KEYS.has(k) || (parentKey === "Environment" && k === "Variables")) {
      // Environment variables hold whatever their owners put there, secrets included.
      return Object.fromEntries(Object.keys(v).map((name) => [name, REDACTED]));
    }
  }
  return copy(v, k, ancestors, plan);
}

/**
 * A member the service model (or UNMARKED) says is secret. Names stay where they are keys of a
 * map (Lambda's, SageMaker's environment) or of environment variable pairs (ECS's): the values
 * are the secret, and the names are what a reader needs to check a configuration.
 */
function maskMember(
  k: string,
  v: unknown,
  parentKey: string,
  ancestors: object[],
  how: "whole" | "values" | "unlessPlainParameter",
  parent: object,
): unknown {
  if (how === "unlessPlainParameter") {
    const type = (parent as { Type?: unknown }).Type;
    return type === "String" || type === "StringList" ? copy(v, k, ancestors) : REDACTED;
  }
  if (typeof v !== "object" || v === null) return REDACTED;
  if (Array.isArray(v)) {
    return ENV_LIST_KEYS.has(k) ? v.map((item) => envVariable(item, ancestors)) : REDACTED;
  }
  if (
    how === "values" ||
    ENV_MAP_KEYS.has(k) ||
    (parentKey === "Environment" && k === "Variables")
  ) {
    return Object.fromEntries(Object.keys(v).map((name) => [name, REDACTED]));
  }
  return REDACTED;
}

function envVariable(item: unknown, ancestors: object[]): unknown {
  if (typeof item === "string") return REDACTED;
  const out = copy(item, "", ancestors);
  if (!isRecord(out)) return out;
  const type = out.type ?? out.Type;
  if (typeof type === "string" && REFERENCE_TYPES.has(type)) return out;
  if (out.value != null) out.value = REDACTED;
  if (out.Value != null) out.Value = REDACTED;
  return out;
}

function beanstalkOption(item: unknown, ancestors: object[]): unknown {
  const out = copy(item, "", ancestors);
  if (isRecord(out) && out.Namespace === BEANSTALK_ENV_NAMESPACE && out.Value != null)
    out.Value = REDACTED;
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// A Node stream (the SDK's body mixes transformToString into an IncomingMessage), a web
// ReadableStream, or an event stream (an async iterable): walking one reaches its socket, whose
// references loop, and reading it could mean gigabytes.
function isStream(value: object): boolean {
  const v = value as Record<string | symbol, unknown>;
  return (
    value instanceof Stream ||
    typeof v.transformToByteArray === "function" ||
    typeof v.getReader === "function" ||
    typeof v[Symbol.asyncIterator] === "function"
  );
}

function release(stream: object): string {
  const s = stream as { destroy?: unknown; cancel?: unknown };
  try {
    if (typeof s.destroy === "function") (s.destroy as () => void).call(stream);
    else if (typeof s.cancel === "function")
      void Promise.resolve((s.cancel as () => unknown).call(stream)).catch(() => undefined);
  } catch {
    // Best effort: the note is stored whether or not the stream let itself be closed.
  }
  return STREAM;
}
