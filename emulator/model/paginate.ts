import { AwsError } from "../aws-error.js";
import type { Operation, Paginator, ServiceModel } from "./service-model.js";

const INPUT_TOKENS = ["NextToken", "nextToken", "Marker", "ContinuationToken"];
const LIMIT_KEYS = ["MaxResults", "maxResults", "MaxItems", "MaxBuckets", "limit", "Limit"];
const OUTPUT_TOKENS = ["NextToken", "nextToken", "NextMarker", "ContinuationToken"];

/** The operation's paginator from the model's paginators file, or inferred from its members. */
export function paginatorFor(model: ServiceModel, operation: Operation): Paginator | undefined {
  const declared = model.paginators.get(operation.name);
  if (declared !== undefined) return declared;
  const inputToken = INPUT_TOKENS.find((t) => operation.input.members[t] !== undefined);
  const outputToken = OUTPUT_TOKENS.find((t) => operation.output.members[t] !== undefined);
  if (inputToken === undefined || outputToken === undefined) return undefined;
  return {
    inputToken,
    outputToken,
    limitKey: LIMIT_KEYS.find((k) => operation.input.members[k] !== undefined),
    resultKey: undefined,
  };
}

/** The output's list member that holds results, from the paginator or the only list member. */
export function resultKeyFor(
  operation: Operation,
  paginator: Paginator | undefined,
): string | undefined {
  if (paginator?.resultKey !== undefined) return paginator.resultKey;
  const lists = Object.entries(operation.output.members).filter(([, m]) => m.type === "list");
  return lists.length === 1 ? lists[0]?.[0] : undefined;
}

// Each protocol family names its invalid-parameter error differently.
function invalidParameter(model: ServiceModel, message: string): AwsError {
  const code =
    model.protocol === "ec2"
      ? "InvalidParameterValue"
      : model.protocol === "json"
        ? "InvalidParameterException"
        : "InvalidParameterValueException";
  return new AwsError(code, message, 400);
}

export type PageOptions = {
  defaultPageSize?: number;
  minPageSize?: number;
  maxPageSize?: number;
  /** The page-size input where the paginators file names none (ELBv2's PageSize). */
  limitKey?: string;
  /** The service's own code for a page size out of range, where it is not the family's. */
  errorCode?: string;
  /** The service's own error for a token it never issued, where its model names one. */
  invalidToken?: { code: string; message: string };
};

/**
 * One page of `items` and the token of the next, with the operation's own token fields. Tokens
 * are opaque to clients (base64 of the offset and operation), as AWS's are.
 */
export function paginate(
  model: ServiceModel,
  operation: Operation,
  input: Record<string, unknown>,
  items: unknown[],
  options: PageOptions = {},
): { page: unknown[]; tokenField: string | undefined; nextToken: string | undefined } {
  const paginator = paginatorFor(model, operation);
  if (paginator === undefined) return { page: items, tokenField: undefined, nextToken: undefined };
  const rawToken = input[paginator.inputToken];
  let offset = 0;
  if (typeof rawToken === "string" && rawToken !== "") {
    const decoded = Buffer.from(rawToken, "base64").toString("utf8").split("|");
    const parsed = Number(decoded[1]);
    if (decoded[0] !== operation.name || !Number.isInteger(parsed) || parsed < 0)
      throw options.invalidToken !== undefined
        ? new AwsError(options.invalidToken.code, options.invalidToken.message, 400)
        : invalidParameter(model, `Invalid ${paginator.inputToken}: ${rawToken}`);
    offset = parsed;
  }
  const limitKey = options.limitKey ?? paginator.limitKey;
  const requested = limitKey !== undefined ? (input[limitKey] ?? undefined) : undefined;
  // AWS validates the page size before doing anything: a value that is not an integer (a query
  // string's "abc" parses to NaN, a JSON body may carry "abc" or 2.5) is refused, never defaulted.
  if (requested !== undefined && !Number.isSafeInteger(requested)) {
    const shown = typeof requested === "number" ? String(requested) : JSON.stringify(requested);
    throw invalidParameter(
      model,
      `Value ( ${shown} ) for parameter ${limitKey} is invalid. Expecting an integer.`,
    );
  }
  if (
    options.errorCode !== undefined &&
    typeof requested === "number" &&
    ((options.minPageSize !== undefined && requested < options.minPageSize) ||
      (options.maxPageSize !== undefined && requested > options.maxPageSize))
  )
    throw new AwsError(
      options.errorCode,
      `Invalid value ${requested} for ${limitKey}. Must be between ${options.minPageSize ?? 1} and ${options.maxPageSize ?? "unbounded"}`,
      400,
    );
  if (
    typeof requested === "number" &&
    ((options.minPageSize !== undefined && requested < options.minPageSize) ||
      (options.maxPageSize !== undefined && requested > options.maxPageSize))
  ) {
    throw invalidParameter(
      model,
      `Value ( ${requested} ) for parameter ${limitKey} is invalid. Parameter must be between ${options.minPageSize ?? 1} and ${options.maxPageSize ?? "unbounded"}.`,
    );
  }
  const size =
    typeof requested === "number" ? requested : (options.defaultPageSize ?? items.length);
  const page = items.slice(offset, offset + Math.max(size, 1));
  const next = offset + page.length;
  return {
    page,
    tokenField: paginator.outputToken,
    // A token only ever points past the page just served, so following tokens always ends.
    nextToken:
      next > offset && next < items.length
        ? Buffer.from(`${operation.name}|${next}`).toString("base64")
        : undefined,
  };
}
