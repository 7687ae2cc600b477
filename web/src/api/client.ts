import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./openapi";

export type { paths, components };

/** The API's one error body, as a thrown error the pages can show (code, message, field). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | undefined,
    readonly requestId: string | undefined,
    /** What the error lists beside its message (each definition error, the closest names …). */
    readonly details: readonly Record<string, unknown>[] = [],
  ) {
    super(message);
    this.name = "ApiError";
  }
}

interface ErrorBody {
  error?: {
    code?: string;
    message?: string;
    field?: string;
    requestId?: string;
    details?: Record<string, unknown>[];
  };
}

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** The session's CSRF token is in a same-origin cookie the server sets at sign-in. */
export function csrfToken(): string | undefined {
  for (const part of document.cookie.split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === "sb_csrf") return decodeURIComponent(value.join("="));
  }
  return undefined;
}

let onUnauthenticated: () => void = () => {};
/** Called when a request comes back 401: the session expired or was signed out elsewhere. */
export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler;
}

const session: Middleware = {
  onRequest({ request }) {
    const token = csrfToken();
    if (MUTATING.has(request.method) && token !== undefined) {
      request.headers.set("x-csrf-token", token);
    }
    return request;
  },
  onResponse({ response, request }) {
    if (response.status === 401 && !request.url.endsWith("/api/v1/auth/login")) {
      onUnauthenticated();
    }
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: "", credentials: "same-origin" });
api.use(session);

export async function toApiError(response: Response, body: unknown): Promise<ApiError> {
  const e = (body as ErrorBody | undefined)?.error;
  return new ApiError(
    response.status,
    e?.code ?? `HTTP_${response.status}`,
    e?.message ?? (response.statusText || "the request failed"),
    e?.field,
    e?.requestId ?? response.headers.get("x-request-id") ?? undefined,
    Array.isArray(e?.details) ? e.details : [],
  );
}

/** The data of an openapi-fetch result, or its error body thrown as an ApiError. */
export async function unwrap<T>(
  result: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await result;
  if (!response.ok) throw await toApiError(response, error);
  return data as T;
}

type Method = "get" | "post" | "put" | "patch" | "delete";
type JsonOf<R> = R extends { content: { "application/json": infer B } } ? B : never;

/** The success body of an operation, from the OpenAPI document: `Ok<"/api/v1/users", "get">`. */
export type Ok<P extends keyof paths, M extends Method> = paths[P][M] extends {
  responses: infer Rs;
}
  ? JsonOf<Rs[200 & keyof Rs]> | JsonOf<Rs[201 & keyof Rs]>
  : never;

/** The JSON request body of an operation. */
export type Body<P extends keyof paths, M extends Method> = paths[P][M] extends {
  requestBody?: { content: { "application/json": infer B } };
}
  ? B
  : never;

/** Every page of a cursor-paged list (users, teams, secrets), for pickers and small lists. */
export async function allPages<T>(
  fetchPage: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await fetchPage(cursor);
    items.push(...page.items);
    if (page.nextCursor === null) return items;
    cursor = page.nextCursor;
  }
}

/** The query of one page of a cursor-paged list, as many items as the API gives at once. */
export const pageQuery = (cursor: string | undefined) => ({
  limit: 500,
  ...(cursor === undefined ? {} : { cursor }),
});
