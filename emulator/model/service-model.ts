import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** A shape of the AWS service model (aws-sdk v2 `apis/*.min.json`), with references resolved. */
export type Shape = {
  type:
    | "structure"
    | "list"
    | "map"
    | "string"
    | "integer"
    | "long"
    | "float"
    | "double"
    | "boolean"
    | "timestamp"
    | "blob"
    | "bigdecimal"
    | "biginteger";
  members: Record<string, Shape>;
  /** The members a request must carry (structures). */
  required?: string[];
  member?: Shape;
  key?: Shape;
  value?: Shape;
  locationName?: string;
  queryName?: string;
  location?: "uri" | "querystring" | "header" | "headers" | "statusCode";
  flattened?: boolean;
  xmlAttribute?: boolean;
  xmlNamespace?: { uri?: string; prefix?: string };
  timestampFormat?: "iso8601" | "rfc822" | "unixTimestamp";
  payload?: string;
  resultWrapper?: string;
  jsonvalue?: boolean;
};

type RawShape = Record<string, unknown> & { shape?: string };

export type Protocol = "query" | "ec2" | "json" | "rest-json" | "rest-xml";

export type Operation = {
  name: string;
  http: { method: string; requestUri: string; responseCode?: number };
  input: Shape;
  output: Shape;
};

export type Paginator = {
  inputToken: string;
  outputToken: string;
  limitKey: string | undefined;
  resultKey: string | undefined;
};

export type ServiceModel = {
  /**
   * The model's name in aws-sdk's `apis/` (its file prefix): the signing name, except where two
   * APIs sign with one name (`elasticloadbalancingv2`, `apigatewayv2`). World data and service
   * handlers are keyed by it.
   */
  name: string;
  /** The name in the SigV4 credential scope. */
  signingName: string;
  /** The first labels of the service's host names (`sts`, `api.pricing`): metadata.endpointPrefix. */
  endpointPrefix: string;
  protocol: Protocol;
  apiVersion: string;
  targetPrefix: string | undefined;
  jsonVersion: string;
  /**
   * The service moved from AWS Query to JSON and still names its errors by their Query codes in an
   * `x-amzn-query-error` header (Smithy's awsQueryCompatible trait): SQS, CloudWatch.
   */
  awsQueryCompatible: boolean;
  xmlNamespace: string | undefined;
  operations: Map<string, Operation>;
  paginators: Map<string, Paginator>;
};

const EMPTY: Shape = { type: "structure", members: {} };

function resolver(shapes: Record<string, RawShape>) {
  const cache = new Map<RawShape, Shape>();
  const resolve = (raw: RawShape | undefined): Shape => {
    if (raw === undefined) return EMPTY;
    const cached = cache.get(raw);
    if (cached !== undefined) return cached;
    const { shape: ref, ...local } = raw;
    const target = ref === undefined ? {} : (shapes[ref] ?? {});
    const merged = { ...target, ...local } as Record<string, unknown>;
    const type = (merged.type ??
      (merged.members !== undefined
        ? "structure"
        : merged.member !== undefined
          ? "list"
          : merged.key !== undefined || merged.value !== undefined
            ? "map"
            : "string")) as Shape["type"];
    // Created before its children so that recursive shapes resolve to the same object.
    const out: Shape = { ...(merged as Partial<Shape>), type, members: {} };
    cache.set(raw, out);
    if (merged.members !== undefined)
      for (const [name, m] of Object.entries(merged.members as Record<string, RawShape>))
        out.members[name] = resolve(m);
    if (merged.member !== undefined) out.member = resolve(merged.member as RawShape);
    if (merged.key !== undefined) out.key = resolve(merged.key as RawShape);
    if (merged.value !== undefined) out.value = resolve(merged.value as RawShape);
    return out;
  };
  return resolve;
}

const require = createRequire(import.meta.url);
const APIS_DIR = join(dirname(require.resolve("aws-sdk/package.json")), "apis");
let apiFiles: string[] | undefined;

function latestModelFile(endpointPrefix: string): string | undefined {
  apiFiles ??= readdirSync(APIS_DIR);
  const matches = apiFiles
    .filter(
      (f) =>
        f.endsWith(".min.json") &&
        new RegExp(`^${endpointPrefix}-\\d{4}-\\d{2}-\\d{2}\\.min\\.json$`).test(f),
    )
    .sort();
  return matches.at(-1);
}

/**
 * Loads a service's model by the name clients sign with (or, for an API that shares its signing
 * name with another, by its model name); undefined when AWS publishes none.
 */
export function loadServiceModel(
  signingName: string,
  name: string = signingName,
): ServiceModel | undefined {
  if (!/^[a-z0-9-]+$/.test(name)) return undefined;
  const file = latestModelFile(name);
  if (file === undefined) return undefined;
  const raw = JSON.parse(readFileSync(join(APIS_DIR, file), "utf8")) as {
    metadata: Record<string, unknown>;
    operations: Record<string, { http?: Operation["http"]; input?: RawShape; output?: RawShape }>;
    shapes: Record<string, RawShape>;
  };
  const resolve = resolver(raw.shapes);
  const operations = new Map<string, Operation>();
  for (const [name, op] of Object.entries(raw.operations)) {
    operations.set(name, {
      name,
      http: {
        method: op.http?.method ?? "POST",
        requestUri: op.http?.requestUri ?? "/",
        ...(op.http?.responseCode !== undefined ? { responseCode: op.http.responseCode } : {}),
      },
      input: resolve(op.input),
      output: resolve(op.output),
    });
  }
  const paginators = new Map<string, Paginator>();
  try {
    const pag = JSON.parse(
      readFileSync(join(APIS_DIR, file.replace(".min.json", ".paginators.json")), "utf8"),
    ) as {
      pagination: Record<
        string,
        { input_token?: unknown; output_token?: unknown; limit_key?: unknown; result_key?: unknown }
      >;
    };
    for (const [name, p] of Object.entries(pag.pagination)) {
      if (typeof p.input_token !== "string" || typeof p.output_token !== "string") continue;
      paginators.set(name, {
        inputToken: p.input_token,
        outputToken: p.output_token,
        limitKey: typeof p.limit_key === "string" ? p.limit_key : undefined,
        resultKey: typeof p.result_key === "string" ? p.result_key : undefined,
      });
    }
  } catch {
    // A service without a paginators file simply has no paginated operations.
  }
  const m = raw.metadata as Record<string, string | undefined>;
  return {
    name,
    signingName,
    endpointPrefix: m.endpointPrefix ?? signingName,
    protocol: m.protocol as Protocol,
    apiVersion: m.apiVersion ?? "",
    targetPrefix: m.targetPrefix,
    jsonVersion: m.jsonVersion ?? "1.0",
    awsQueryCompatible: raw.metadata.awsQueryCompatible !== undefined,
    xmlNamespace: m.xmlNamespace,
    operations,
    paginators,
  };
}
