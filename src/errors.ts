/**
 * The catalogue of error codes. Every error a user can see carries one of these
 * codes; `docs/errors.md` lists each with its fix. A retired code is never reused.
 */
export const ERROR_CATALOGUE = {
  INVALID_REQUEST: { status: 400, retriable: false },
  INVALID_JSON: { status: 400, retriable: false },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, retriable: false },
  BODY_TOO_LARGE: { status: 413, retriable: false },
  UNAUTHENTICATED: { status: 401, retriable: false },
  INVALID_CREDENTIALS: { status: 401, retriable: false },
  TOKEN_EXPIRED: { status: 401, retriable: false },
  TOKEN_REVOKED: { status: 401, retriable: false },
  CSRF_TOKEN_INVALID: { status: 403, retriable: false },
  FORBIDDEN: { status: 403, retriable: false },
  NOT_FOUND: { status: 404, retriable: false },
  ROUTE_NOT_FOUND: { status: 404, retriable: false },
  CONFLICT: { status: 409, retriable: false },
  LAST_ADMIN: { status: 409, retriable: false },
  WEB_IDENTITY_SUBJECT_RESERVED: { status: 409, retriable: false },
  SETUP_LINK_INVALID: { status: 400, retriable: false },
  RATE_LIMITED: { status: 429, retriable: true },
  OUTBOUND_REFUSED: { status: 403, retriable: false },
  SECRET_HOST_NOT_ALLOWED: { status: 403, retriable: false },
  SECRET_UNREADABLE: { status: 500, retriable: false },
  UNAVAILABLE: { status: 503, retriable: true },
  ACTION_NOT_FOUND: { status: 404, retriable: false },
  REGION_NOT_ALLOWED: { status: 400, retriable: false },
  ACCESS_REFUSED: { status: 403, retriable: false },
  AWS_ERROR: { status: 502, retriable: false },
  AWS_THROTTLED: { status: 503, retriable: true },
  ENDPOINT_NOT_AWS: { status: 502, retriable: false },
  AWS_UNREACHABLE: { status: 504, retriable: true },
  EXPRESSION_FAILED: { status: 400, retriable: false },
  DEFINITION_INVALID: { status: 400, retriable: false },
  RUN_FINISHED: { status: 409, retriable: false },
  RUN_NOT_REDRIVABLE: { status: 409, retriable: false },
  MANAGED_SECRET: { status: 409, retriable: false },
  NOT_WAITING: { status: 409, retriable: false },
  SELF_APPROVAL: { status: 403, retriable: false },
  WEBHOOK_SIGNATURE_INVALID: { status: 401, retriable: false },
  WEBHOOK_REPLAYED: { status: 409, retriable: false },
  INTERNAL: { status: 500, retriable: true },
} as const satisfies Record<string, { status: number; retriable: boolean }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface ErrorOptions {
  field?: string;
  cause?: unknown;
  /** Every problem when there are several (a workflow definition's errors with line and column). */
  details?: readonly Record<string, unknown>[];
}

export class SwitchboardError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly details: readonly Record<string, unknown>[] | undefined;

  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.field = options.field;
    this.details = options.details;
  }

  get status(): number {
    return ERROR_CATALOGUE[this.code].status;
  }

  get retriable(): boolean {
    return ERROR_CATALOGUE[this.code].retriable;
  }
}

export class Invalid extends SwitchboardError {
  constructor(message: string, options: ErrorOptions & { code?: ErrorCode } = {}) {
    super(options.code ?? "INVALID_REQUEST", message, options);
  }
}

export class NotFound extends SwitchboardError {
  constructor(what: string, options: ErrorOptions = {}) {
    super("NOT_FOUND", `${what} was not found`, options);
  }
}

export class Forbidden extends SwitchboardError {
  constructor(message: string, options: ErrorOptions & { code?: ErrorCode } = {}) {
    super(options.code ?? "FORBIDDEN", message, options);
  }
}

export class Unauthenticated extends SwitchboardError {
  constructor(message: string, options: ErrorOptions & { code?: ErrorCode } = {}) {
    super(options.code ?? "UNAUTHENTICATED", message, options);
  }
}

export class Conflict extends SwitchboardError {
  constructor(message: string, options: ErrorOptions & { code?: ErrorCode } = {}) {
    super(options.code ?? "CONFLICT", message, options);
  }
}

export class Refused extends SwitchboardError {
  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(code, message, options);
  }
}

export class Upstream extends SwitchboardError {
  constructor(message: string, options: ErrorOptions & { code?: ErrorCode } = {}) {
    super(options.code ?? "UNAVAILABLE", message, options);
  }
}
