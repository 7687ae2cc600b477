import { isRetryableByTrait, isThrottlingError, isTransientError } from "@smithy/core/retry";
import type { SdkError } from "@smithy/types";
import { ERROR_CATALOGUE, SwitchboardError, type ErrorCode } from "../errors.js";

/** What went wrong with an AWS call, in the few kinds a fan-out acts on differently. */
export type AwsErrorKind =
  | "throttling"
  | "server"
  | "network"
  | "credentials"
  | "access_denied"
  | "not_found"
  | "invalid_input"
  | "region_disabled"
  | "cancelled"
  | "other";

export interface AwsErrorClass {
  kind: AwsErrorKind;
  /** AWS's error code (or a Node error code, or a Switchboard catalogue code), as stored on a target. */
  code: string;
  /** Whether the same call may succeed if sent again later. */
  retriable: boolean;
  httpStatus?: number;
  requestId?: string;
}

/** A target's recorded error: what a run stores, without the live error object. */
export interface StoredAwsError {
  code: string;
  message: string;
  httpStatus?: number;
  requestId?: string;
}

/** What the caller knows about the call and the SDK error cannot say itself. */
export interface ClassifyContext {
  /**
   * The error was raised while getting the connection's credentials (AssumeRole refused, a key
   * missing), not by the call: an AccessDenied there is about the role's trust, not a permission.
   */
  failedOnCredentials?: boolean;
  /** The call went to an opt-in region (one an account must enable before using it). */
  inOptInRegion?: boolean;
}

const RETRIABLE_KINDS: ReadonlySet<AwsErrorKind> = new Set(["throttling", "server", "network"]);

// Codes are compared without a trailing "Exception": services of one family say
// UnrecognizedClientException where another says ExpiredToken, and the SDK names some errors by
// their class (InvalidIdentityTokenException) where the wire code is InvalidIdentityToken.
const base = (code: string): string => code.replace(/Exception$/, "");

/**
 * AWS refusing the credentials themselves (unknown, expired, malformed, badly signed, signed with
 * a clock too far off), per family: STS and IAM, EC2 (AuthFailure, RequestExpired), JSON services
 * (UnrecognizedClient, InvalidSignature), S3 (InvalidAccessKeyId, InvalidToken,
 * TokenRefreshRequired, RequestTimeTooSkewed), web identity (InvalidIdentityToken,
 * IDPRejectedClaim, IDPCommunicationError), AWS's common errors (MissingAuthenticationToken,
 * IncompleteSignature), and the SDK's own provider chain finding no identity.
 * The codes src/connections/credentials-rejected.ts retries with fresh credentials are a subset.
 */
const CREDENTIAL_CODES: ReadonlySet<string> = new Set([
  "ExpiredToken",
  "InvalidClientTokenId",
  "UnrecognizedClient",
  "AuthFailure",
  "InvalidToken",
  "RequestExpired",
  "InvalidAccessKeyId",
  "TokenRefreshRequired",
  "SignatureDoesNotMatch",
  "InvalidSignature",
  "RequestTimeTooSkewed",
  "RequestInTheFuture",
  "InvalidIdentityToken",
  "IDPRejectedClaim",
  "IDPCommunicationError",
  "MissingAuthenticationToken",
  "IncompleteSignature",
  "CredentialsProviderError",
]);

// In a region its account has not enabled, AWS knows neither the access key nor the session: each
// service answers as for unknown credentials (as src/actions/opt-in-region.ts explains to users).
const UNKNOWN_CREDENTIAL_CODES: ReadonlySet<string> = new Set([
  "AuthFailure",
  "InvalidClientTokenId",
  "UnrecognizedClient",
  "InvalidAccessKeyId",
]);

const ACCESS_DENIED_CODES: ReadonlySet<string> = new Set([
  "AccessDenied",
  "UnauthorizedOperation",
  "AuthorizationError",
  "Unauthorized",
  "NotAuthorized",
  "Forbidden",
]);

const INVALID_INPUT_CODES: ReadonlySet<string> = new Set([
  "Validation",
  "ValidationError",
  "InvalidInput",
  "InvalidArgument",
  "InvalidRequest",
  "InvalidAction",
  "InvalidQueryParameter",
  "MalformedQueryString",
  "MalformedPolicyDocument",
  "Serialization",
]);

/**
 * AWS's codes for its own failures, for a stored error that kept no HTTP status (a live one has
 * its 5xx): the common InternalFailure and ServiceUnavailable, EC2's InternalError and
 * Unavailable, DynamoDB's InternalServerError, Lambda's ServiceException. The SDK keeps no such
 * list: it goes by status.
 */
const SERVER_CODES: ReadonlySet<string> = new Set([
  "InternalError",
  "InternalFailure",
  "InternalServerError",
  "InternalServiceError",
  "Internal",
  "ServiceUnavailable",
  "Unavailable",
  "Service",
  "ServiceFailure",
]);

/** Switchboard's own codes a target may carry, in the kind that says what to do about them. */
const SWITCHBOARD_KINDS: Partial<Record<ErrorCode, AwsErrorKind>> = {
  AWS_THROTTLED: "throttling",
  AWS_UNREACHABLE: "network",
  SECRET_UNREADABLE: "credentials",
  ACCESS_REFUSED: "access_denied",
  INVALID_REQUEST: "invalid_input",
  REGION_NOT_ALLOWED: "invalid_input",
};

function isStored(error: unknown): error is StoredAwsError {
  return (
    typeof error === "object" &&
    error !== null &&
    !(error instanceof Error) &&
    typeof (error as { code?: unknown }).code === "string"
  );
}

// DOMException from AbortSignal.abort(), node:timers/promises (code ABORT_ERR), the SDK's handler.
const isAbort = (code: string): boolean => code === "AbortError" || code === "ABORT_ERR";

/** The code as explainAwsError stores it: AWS's `Code`, else the error's name, else Node's `code`. */
function codeOf(error: unknown): string {
  if (error instanceof SwitchboardError) return error.code;
  if (isStored(error)) return error.code;
  if (typeof error !== "object" || error === null) return "Error";
  const e = error as { name?: unknown; Code?: unknown; code?: unknown };
  if (typeof e.Code === "string") return e.Code;
  if (typeof e.name === "string" && e.name !== "Error") return e.name;
  if (typeof e.code === "string") return e.code;
  return "Error";
}

interface Facts {
  code: string;
  httpStatus: number | undefined;
  requestId: string | undefined;
  /** What the SDK's classifiers read: the error itself, or a stored error dressed as one. */
  probe: SdkError;
  /** The probe without what AWS answered: what is left is the transport's story. */
  transport: SdkError;
}

function factsOf(error: unknown): Facts {
  const code = codeOf(error);
  if (isStored(error) || typeof error !== "object" || error === null) {
    const stored = isStored(error) ? error : undefined;
    const httpStatus = typeof stored?.httpStatus === "number" ? stored.httpStatus : undefined;
    // A stored Node error keeps its code (ECONNRESET) where a live one has it beside its name.
    const probe = Object.assign(new Error(stored?.message ?? String(error)), {
      name: code,
      code,
      ...(httpStatus === undefined ? {} : { $metadata: { httpStatusCode: httpStatus } }),
    }) as SdkError;
    return {
      code,
      httpStatus,
      requestId: stored?.requestId,
      probe,
      transport: Object.assign(new Error(probe.message), { name: code, code }) as SdkError,
    };
  }
  const live = error as SdkError & { code?: unknown };
  const httpStatus = live.$metadata?.httpStatusCode;
  const transport = Object.assign(new Error(String(live.message)), {
    name: live.name,
    ...(typeof live.code === "string" ? { code: live.code } : {}),
    ...(live.cause === undefined ? {} : { cause: live.cause }),
  }) as SdkError;
  return {
    code,
    httpStatus: typeof httpStatus === "number" ? httpStatus : undefined,
    requestId: live.$metadata?.requestId,
    probe: live,
    transport,
  };
}

function kindOf(facts: Facts, context: ClassifyContext): AwsErrorKind {
  const { code, httpStatus, probe } = facts;
  if (isAbort(code)) return "cancelled";
  if (Object.hasOwn(ERROR_CATALOGUE, code)) {
    return Object.hasOwn(SWITCHBOARD_KINDS, code)
      ? (SWITCHBOARD_KINDS[code as ErrorCode] ?? "other")
      : "other";
  }
  const b = base(code);

  if (isThrottlingError(probe)) return "throttling";
  // STS names it; every other service answers as for unknown credentials (see above).
  if (b === "RegionDisabled") return "region_disabled";
  if (context.inOptInRegion === true && UNKNOWN_CREDENTIAL_CODES.has(b)) return "region_disabled";

  const server =
    (httpStatus !== undefined && httpStatus >= 500 && httpStatus <= 599) ||
    (probe as { $fault?: unknown }).$fault === "server" ||
    SERVER_CODES.has(b);
  // The SDK's own test for a transport failure: TimeoutError, RequestTimeout, ECONNRESET and the
  // other Node socket codes, HTTP/2 refused streams, any of these as a cause.
  const network = !server && isTransientError(facts.transport);
  // Getting credentials can itself be throttled, time out or meet a 5xx: those are not the
  // credentials' fault and may pass.
  if (context.failedOnCredentials === true && !server && !network) return "credentials";
  if (CREDENTIAL_CODES.has(b)) return "credentials";

  if (ACCESS_DENIED_CODES.has(b) || b.endsWith("AccessDenied")) return "access_denied";
  // The last part of a dotted Query code: SQS's missing queue is AWS.SimpleQueueService.NonExistentQueue.
  const last = b.slice(b.lastIndexOf(".") + 1);
  if (
    b.endsWith("NotFound") ||
    b.startsWith("NoSuch") ||
    b.endsWith("DoesNotExist") ||
    last.startsWith("NonExistent") ||
    httpStatus === 404
  )
    return "not_found";
  if (
    INVALID_INPUT_CODES.has(b) ||
    b.startsWith("InvalidParameter") ||
    b.startsWith("Missing") ||
    b.endsWith(".Malformed")
  )
    return "invalid_input";
  if (server) return "server";
  if (network) return "network";
  return "other";
}

/**
 * What kind of failure an AWS call (or a recorded target error) met, and whether sending it again
 * later may help: throttling, AWS's own failures (5xx) and the network may pass; so may an error
 * AWS models as retryable (`$retryable`); a cancelled call is never retried. Built on the SDK's
 * own classification (`@smithy/core/retry`, where this SDK generation keeps what was
 * `@smithy/service-error-classification`) so that we call retriable what the SDK retries.
 */
export function classifyAwsError(error: unknown, context: ClassifyContext = {}): AwsErrorClass {
  const facts = factsOf(error);
  const kind = kindOf(facts, context);
  const retriable =
    RETRIABLE_KINDS.has(kind) || (kind !== "cancelled" && isRetryableByTrait(facts.probe));
  return {
    kind,
    code: facts.code,
    retriable,
    ...(facts.httpStatus === undefined ? {} : { httpStatus: facts.httpStatus }),
    ...(facts.requestId === undefined ? {} : { requestId: facts.requestId }),
  };
}
