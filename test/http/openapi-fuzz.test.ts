import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

/**
 * Every operation of the OpenAPI document, every body field, query and path parameter, with
 * values a careless or hostile client sends: NUL, lone surrogates, 1 MB strings, deep nesting,
 * wrong types, unknown fields. Nothing may answer 5xx, and a refusal must name the field.
 */

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  minItems?: number;
}

interface Parameter {
  in: "path" | "query" | "header" | "cookie";
  name: string;
  schema?: JsonSchema;
}

interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema?: JsonSchema }> };
}

interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
}

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * What the answer must be:
 * - `refused`: 400 naming exactly this field (or a field inside it);
 * - `refusedAnyField`: a 4xx whose error names some field;
 * - `no5xx`: anything below 500; an error has the error body, and a 400 names a field;
 * - `badUrl`: a 400 in the error body; a path the router cannot decode matches no route, so
 *   there is no parameter name to give;
 * - `tooLarge`: 413 BODY_TOO_LARGE in the error body.
 *   (Not for LARGE_BODY_ROUTES, whose limit is larger.)
 */
type Expectation =
  | { kind: "refused"; field: string }
  | { kind: "badUrl" }
  | { kind: "tooLarge" }
  | { kind: "refusedAnyField" }
  | { kind: "no5xx" };

interface Case {
  label: string;
  method: Method;
  url: string;
  body?: unknown;
  expect: Expectation;
}

/** Routes that take bodies above the 1 MiB limit on purpose. */
const LARGE_BODY_ROUTES = new Set(["POST /api/v1/inventory/prices/import"]);

const MEGABYTE_STRING = "x".repeat(1_000_000);
const NUL = "ed\u0000";
const LONE_SURROGATE = "\ud800ed";

/**
 * Deep nesting cannot go through JSON.stringify (it would overflow this process's stack too), so
 * a body holds this marker and is written out with the nesting spliced in.
 */
const DEEP = "\u0001deeply-nested\u0001";
const DEEP_LEVELS = 100_000;

function serialize(body: unknown): string {
  const nested = `${"[".repeat(DEEP_LEVELS)}"bottom"${"]".repeat(DEEP_LEVELS)}`;
  return JSON.stringify(body).replace(JSON.stringify(DEEP), nested);
}

/** Strings that pass the patterns the API uses, tried in order. */
const PLAUSIBLE_STRINGS = [
  "fuzz",
  "us-east-1",
  "aws.sts.getCallerIdentity",
  "keys/system/fuzz",
  "user:fuzz",
  "env=prod",
  "AKIAFUZZFUZZFUZZFUZZ",
  "arn:aws:iam::123456789012:role/fuzz",
  "2026-01-01T00:00:00Z",
  "https://example.com",
];

function branches(schema: JsonSchema): JsonSchema[] {
  return schema.oneOf ?? schema.anyOf ?? schema.allOf ?? [schema];
}

function typeOf(schema: JsonSchema): string | undefined {
  const first = branches(schema)[0] ?? schema;
  const type = first.type ?? schema.type;
  return Array.isArray(type) ? type[0] : type;
}

function plausibleString(schema: JsonSchema): string {
  if (schema.format === "uuid") return randomUUID();
  if (schema.format === "date-time") return "2026-01-01T00:00:00Z";
  if (schema.format === "uri") return "https://example.com";
  const fits = (s: string) =>
    (schema.pattern === undefined || new RegExp(schema.pattern, "u").test(s)) &&
    s.length >= (schema.minLength ?? 0) &&
    s.length <= (schema.maxLength ?? Infinity);
  return PLAUSIBLE_STRINGS.find(fits) ?? "x".repeat(Math.max(schema.minLength ?? 1, 1));
}

/** Values for fields whose schema alone does not say what passes (checked by the handler). */
const PLAUSIBLE_BY_NAME: Record<string, unknown> = {
  path: "keys/system/fuzz-new",
  password: "fuzz-password-1234",
};

/** A value the schema likely accepts, so a variant of one field is judged on that field. */
function plausible(schema: JsonSchema): unknown {
  if (schema.const !== undefined) return schema.const;
  if (schema.enum !== undefined) return schema.enum[0];
  const chosen = branches(schema)[0] ?? schema;
  if (chosen !== schema) return plausible(chosen);
  switch (typeOf(schema)) {
    case "object": {
      const out: Record<string, unknown> = {};
      for (const name of schema.required ?? [])
        out[name] = PLAUSIBLE_BY_NAME[name] ?? plausible(schema.properties?.[name] ?? {});
      return out;
    }
    case "array":
      return (schema.minItems ?? 0) > 0 && schema.items !== undefined
        ? [plausible(schema.items)]
        : [];
    case "string":
      return plausibleString(schema);
    case "integer":
    case "number":
      return Math.max(schema.minimum ?? 1, 1);
    case "boolean":
      return false;
    default:
      return "fuzz";
  }
}

/** A value of another JSON type than the schema's, or undefined when the schema takes any. */
function wrongType(schema: JsonSchema): unknown {
  const types = new Set(branches(schema).map(typeOf));
  if (types.has(undefined)) return undefined;
  if (!types.has("number") && !types.has("integer")) return 12345;
  if (!types.has("object")) return { nested: true };
  return "not a number";
}

/** The top-level fields of a body schema (over every branch of a union), each with its schema. */
function bodyFields(schema: JsonSchema): Map<string, JsonSchema> {
  const fields = new Map<string, JsonSchema>();
  for (const branch of branches(schema))
    for (const [name, field] of Object.entries(branch.properties ?? {}))
      if (!fields.has(name)) fields.set(name, field);
  return fields;
}

function bodyCases(method: Method, url: string, schema: JsonSchema): Case[] {
  // An array body (grants) is fuzzed through the fields of its first item.
  const isArray = typeOf(schema) === "array" && schema.items !== undefined;
  const objectSchema = isArray ? (schema.items ?? {}) : schema;
  const base = plausible(objectSchema) as Record<string, unknown>;
  const wrap = (fields: Record<string, unknown>): unknown => {
    const body = { ...base, ...fields };
    return isArray ? [body] : body;
  };
  const prefix = isArray ? "0." : "";
  const cases: Case[] = [];
  for (const [name, field] of bodyFields(objectSchema)) {
    const at = `${prefix}${name}`;
    const add = (label: string, value: unknown, expectation: Expectation) =>
      cases.push({
        label: `body.${at} ${label}`,
        method,
        url,
        body: wrap({ [name]: value }),
        expect: expectation,
      });
    add("NUL", NUL, { kind: "refused", field: at });
    add("lone surrogate", LONE_SURROGATE, { kind: "refused", field: at });
    add("NUL inside a list", [NUL], { kind: "refused", field: `${at}.0` });
    add("nested 100,000 deep", DEEP, { kind: "refused", field: at });
    add("1 MB string", MEGABYTE_STRING, { kind: "no5xx" });
    const wrong = wrongType(field);
    if (wrong !== undefined) add("wrong type", wrong, { kind: "refusedAnyField" });
  }
  cases.push({
    label: "body over the 1 MiB limit",
    method,
    url,
    body: wrap({ zzPadding: "x".repeat(1_100_000) }),
    // An AWS price list offer file is hundreds of megabytes: that route takes them, and refuses
    // this one as it refuses any body that is not an offer file.
    expect: LARGE_BODY_ROUTES.has(`${method} ${url}`) ? { kind: "no5xx" } : { kind: "tooLarge" },
  });
  cases.push({
    label: "body unknown field",
    method,
    url,
    body: wrap({ zzUnknownField: "x" }),
    expect: { kind: "refusedAnyField" },
  });
  cases.push({
    label: "body field name with a NUL",
    method,
    url,
    body: wrap({ "bad\u0000name": "x" }),
    expect: { kind: "refused", field: `${prefix}bad\\u0000name` },
  });
  return cases;
}

function withQuery(url: string, query: string): string {
  return `${url}${url.includes("?") ? "&" : "?"}${query}`;
}

function queryCases(method: Method, url: string, body: unknown, parameters: Parameter[]): Case[] {
  const cases: Case[] = [];
  const add = (label: string, query: string, expectation: Expectation) =>
    cases.push({ label, method, url: withQuery(url, query), body, expect: expectation });
  for (const parameter of parameters) {
    const name = parameter.name;
    add(`query.${name} NUL`, `${name}=ed%00`, { kind: "refused", field: name });
    add(`query.${name} UTF-8 of a lone surrogate`, `${name}=%ED%A0%80`, { kind: "no5xx" });
    add(`query.${name} bad percent escape`, `${name}=%E0%A4%A`, { kind: "no5xx" });
    add(`query.${name} 1 MB string`, `${name}=${MEGABYTE_STRING}`, { kind: "no5xx" });
    add(`query.${name} given twice`, `${name}=a&${name}=b`, { kind: "no5xx" });
    const wrong = wrongType(parameter.schema ?? {});
    if (typeof wrong === "number" || typeof wrong === "string")
      add(`query.${name} wrong type`, `${name}=${encodeURIComponent(wrong)}`, { kind: "no5xx" });
  }
  add("query unknown parameter with a NUL", "zzUnknown=%00", {
    kind: "refused",
    field: "zzUnknown",
  });
  // A harmless unknown parameter may reach the handler, so only reads get it.
  if (method === "GET") add("query unknown parameter", "zzUnknown=1", { kind: "no5xx" });
  return cases;
}

function pathCases(
  method: Method,
  template: string,
  values: Map<string, string>,
  body: unknown,
): Case[] {
  const cases: Case[] = [];
  for (const name of values.keys()) {
    const url = (bad: string) =>
      template.replace(/\{([^}]+)\}/g, (_m, p: string) =>
        p === name ? bad : (values.get(p) ?? ""),
      );
    const add = (label: string, bad: string, expectation: Expectation) =>
      cases.push({
        label: `params.${name} ${label}`,
        method,
        url: url(bad),
        body,
        expect: expectation,
      });
    add("NUL", "ed%00", { kind: "refused", field: name });
    // The router cannot decode it, so no route and no parameter name is reached.
    add("UTF-8 of a lone surrogate", "%ED%A0%80", { kind: "badUrl" });
    add("1,000 characters", "x".repeat(1000), { kind: "refused", field: name });
  }
  return cases;
}

function casesOf(path: string, methodName: string, operation: Operation): Case[] {
  const method = methodName.toUpperCase() as Method;
  const parameters = operation.parameters ?? [];
  const pathValues = new Map<string, string>();
  for (const p of parameters.filter((p) => p.in === "path"))
    pathValues.set(p.name, plausibleString(p.schema ?? {}));
  const url = path.replace(/\{([^}]+)\}/g, (_m, p: string) => pathValues.get(p) ?? "fuzz");
  const bodySchema = operation.requestBody?.content["application/json"]?.schema;
  const baseBody = bodySchema === undefined ? undefined : plausible(bodySchema);
  return [
    ...(bodySchema === undefined ? [] : bodyCases(method, url, bodySchema)),
    ...queryCases(
      method,
      url,
      baseBody,
      parameters.filter((p) => p.in === "query"),
    ),
    ...pathCases(method, path, pathValues, baseBody),
  ];
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; field?: unknown; requestId?: unknown };
}

/** What is wrong with the answer to one case, or undefined when it is right. */
function judge(c: Case, status: number, text: string): string | undefined {
  if (status >= 500) return `${status}: ${text.slice(0, 300)}`;
  if (status < 400) {
    return c.expect.kind === "no5xx" ? undefined : `accepted with ${status}, expected a refusal`;
  }
  let body: ErrorBody;
  try {
    body = JSON.parse(text) as ErrorBody;
  } catch {
    return `${status} without a JSON body: ${text.slice(0, 100)}`;
  }
  const error = body.error;
  if (
    typeof error?.code !== "string" ||
    typeof error.message !== "string" ||
    typeof error.requestId !== "string"
  )
    return `${status} without the error body: ${text.slice(0, 200)}`;
  const field = typeof error.field === "string" && error.field !== "" ? error.field : undefined;
  switch (c.expect.kind) {
    case "refused": {
      const wanted = c.expect.field;
      if (status !== 400) return `${status} ${error.code}, expected 400 naming ${wanted}`;
      return field === wanted || field?.startsWith(`${wanted}.`) === true
        ? undefined
        : `field ${String(field)}, expected ${wanted} (${error.message})`;
    }
    case "tooLarge":
      return status === 413 && error.code === "BODY_TOO_LARGE"
        ? undefined
        : `${status} ${error.code}, expected 413 BODY_TOO_LARGE`;
    case "badUrl":
      return status === 400 ? undefined : `${status} ${error.code}, expected 400`;
    case "refusedAnyField":
      return field === undefined
        ? `${status} ${error.code} names no field: ${error.message}`
        : undefined;
    case "no5xx":
      return status === 400 && field === undefined
        ? `400 ${error.code} names no field: ${error.message}`
        : undefined;
  }
}

describeEachDatabase("malformed input on every operation", (suite) => {
  let t: TestApp;
  beforeAll(async () => {
    // The server's own identity fails at once: nothing the fuzz sends may wait on real AWS.
    t = await createTestApp(suite.handle().db, {
      ambientProvider: () => () => Promise.reject(new Error("no AWS identity in this test")),
    });
    // The objects the plausible path parameters name exist, so a request gets past "not found".
    for (const [url, body] of [
      ["/api/v1/users", { name: "fuzz", password: "fuzz-password-1234" }],
      ["/api/v1/teams", { name: "fuzz", members: ["fuzz"] }],
      ["/api/v1/projects", { name: "fuzz" }],
      ["/api/v1/secrets", { path: "keys/system/fuzz", value: "fuzz" }],
      ["/api/v1/connections", { method: "ambient", name: "fuzz", regions: ["us-east-1"] }],
    ] as const) {
      const response = await t.call("POST", url, { body });
      expect(response.statusCode, `${url}: ${response.body}`).toBe(201);
    }
  });
  afterAll(() => t.close());

  it("answers every malformed field, query and path parameter of every operation below 500, naming the field", async () => {
    const document = (await t.call("GET", "/openapi.json", { token: null })).json<OpenApi>();
    let operations = 0;
    let requests = 0;
    let serverErrors = 0;
    const failures: string[] = [];
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [methodName, operation] of Object.entries(methods)) {
        operations += 1;
        for (const c of casesOf(path, methodName, operation)) {
          const response = await t.app.inject({
            method: c.method,
            url: c.url,
            headers: {
              authorization: "Bearer sb_admin_test_token",
              ...(c.body === undefined ? {} : { "content-type": "application/json" }),
            },
            ...(c.body === undefined ? {} : { payload: serialize(c.body) }),
          });
          requests += 1;
          if (response.statusCode >= 500) serverErrors += 1;
          const problem = judge(c, response.statusCode, response.body);
          if (problem !== undefined) failures.push(`${c.method} ${path} ${c.label}: ${problem}`);
        }
      }
    }
    console.info(
      `fuzz [${suite.dialect}]: ${requests} requests over ${operations} operations, ${serverErrors} answered 5xx`,
    );
    expect(failures).toEqual([]);
    expect(operations).toBeGreaterThanOrEqual(50);
    expect(requests).toBeGreaterThan(operations * 5);
  });
});
