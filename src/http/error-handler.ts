import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import {
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
} from "fastify-type-provider-zod";
import { ERROR_CATALOGUE, SwitchboardError, type ErrorCode } from "../errors.js";
import type { ErrorBody } from "./error-body.js";

/** The longest path parameter the router reads (fastify's default, 100, is shorter than a secret path). */
export const MAX_PATH_PARAMETER_LENGTH = 2048;

interface Mapped {
  code: ErrorCode;
  message: string;
  field?: string;
  details?: readonly Record<string, unknown>[];
}

function describeValidation(error: FastifyError): Mapped {
  const where = error.validationContext ?? "body";
  const first = error.validation?.[0];
  if (first === undefined) return { code: "INVALID_REQUEST", message: error.message };
  const path = first.instancePath.replace(/^\//, "").replaceAll("/", ".");
  const params = first.params as { keys?: unknown };
  if (
    first.keyword === "unrecognized_keys" &&
    Array.isArray(params.keys) &&
    params.keys.length > 0
  ) {
    const keys = params.keys.map(String);
    const field = [path, keys[0]].filter((p) => p !== "").join(".");
    return {
      code: "INVALID_REQUEST",
      message: `${where} has unknown field${keys.length > 1 ? "s" : ""} ${keys.join(", ")}`,
      field,
    };
  }
  return path === ""
    ? { code: "INVALID_REQUEST", message: `${where}: ${first.message}` }
    : { code: "INVALID_REQUEST", message: `${where}.${path}: ${first.message}`, field: path };
}

function map(error: unknown): Mapped | undefined {
  if (error instanceof SwitchboardError) {
    return {
      code: error.code,
      message: error.message,
      ...(error.field === undefined ? {} : { field: error.field }),
      ...(error.details === undefined ? {} : { details: error.details }),
    };
  }
  const e = error as FastifyError;
  if (hasZodFastifySchemaValidationErrors(e)) return describeValidation(e);
  if (isResponseSerializationError(e)) return undefined;
  switch (e.code) {
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return { code: "INVALID_JSON", message: "the request body is not valid JSON" };
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return {
        code: "BODY_TOO_LARGE",
        message: "the request body is larger than the server accepts",
      };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return { code: "UNSUPPORTED_MEDIA_TYPE", message: "send the body as application/json" };
    // The router could not read a path parameter, so no route (and no field name) was reached.
    case "FST_ERR_BAD_URL":
      return {
        code: "INVALID_REQUEST",
        message: "a segment of the URL path is not valid percent-encoded UTF-8",
      };
    case "FST_ERR_MAX_PARAM_LENGTH":
      return {
        code: "INVALID_REQUEST",
        message: `a segment of the URL path is longer than ${MAX_PATH_PARAMETER_LENGTH} characters`,
      };
  }
  if (e instanceof SyntaxError)
    return { code: "INVALID_JSON", message: "the request body is not valid JSON" };
  // Any other error fastify marks as the client's fault (bad content length, bad URL …).
  if (typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) {
    return { code: "INVALID_REQUEST", message: e.message };
  }
  return undefined;
}

export function errorBody(request: FastifyRequest, mapped: Mapped): ErrorBody {
  return {
    error: {
      code: mapped.code,
      message: mapped.message,
      ...(mapped.field === undefined ? {} : { field: mapped.field }),
      ...(mapped.details === undefined ? {} : { details: [...mapped.details] }),
      requestId: request.id,
    },
  };
}

/** Maps every error to the one error body; anything unexpected is logged and shown as INTERNAL. */
export function handleError(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  let mapped = map(error);
  if (mapped === undefined) {
    request.log.error({ err: error }, "request failed");
    mapped = {
      code: "INTERNAL",
      message: `internal error; quote request id ${request.id} to an operator`,
    };
  } else if (ERROR_CATALOGUE[mapped.code].status >= 500) {
    request.log.error({ err: error }, "request failed");
  }
  // x-request-id is set here too: the router's own refusals (frameworkErrors) skip onSend.
  return reply
    .code(ERROR_CATALOGUE[mapped.code].status)
    .type("application/json")
    .header("x-request-id", request.id)
    .send(errorBody(request, mapped));
}
