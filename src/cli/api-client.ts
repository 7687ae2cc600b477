import { CliError } from "./cli-error.js";
import { readProfile } from "./profile.js";

export interface ConnectionOptions {
  url?: string;
  token?: string;
}

export interface ApiClient {
  url: string;
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
  /**
   * The raw response, for streams (NDJSON) and error bodies with details. With `contentType`,
   * `body` is a string sent as it is (a YAML definition).
   */
  raw(method: string, path: string, body?: unknown, contentType?: string): Promise<Response>;
}

interface ErrorResponse {
  error?: { code?: string; message?: string; field?: string };
}

function unreachable(url: string, error: unknown): CliError {
  const cause = (error as { cause?: unknown }).cause;
  const reason =
    cause instanceof Error ? cause.message : error instanceof Error ? error.message : String(error);
  return new CliError(`cannot reach ${url}: ${reason}`);
}

/** An API error response as one readable line: its message, the field it names, its code. */
export function errorLine(status: number, body: unknown): string {
  const e = (body as ErrorResponse | null)?.error;
  const field = e?.field === undefined ? "" : ` [${e.field}]`;
  return `${e?.message ?? `HTTP ${status}`}${field} (${e?.code ?? status})`;
}

/** Sends one API request and turns an error body into one readable line. */
export async function apiRequest<T>(
  url: string,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ data: T; headers: Headers }> {
  let response: Response;
  try {
    response = await fetch(`${url}/api/v1${path}`, {
      method,
      headers: {
        accept: "application/json",
        ...(options.body === undefined ? {} : { "content-type": "application/json" }),
        ...options.headers,
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
  } catch (error) {
    throw unreachable(url, error);
  }
  const text = await response.text();
  const data: unknown = text === "" ? null : JSON.parse(text);
  if (!response.ok) throw new CliError(errorLine(response.status, data));
  return { data: data as T, headers: response.headers };
}

/** Flags first, then SWITCHBOARD_URL / SWITCHBOARD_TOKEN, then the profile `login` saved. */
export function createApiClient(
  options: ConnectionOptions,
  env: NodeJS.ProcessEnv = process.env,
): ApiClient {
  const profile = readProfile(env);
  const url = (options.url ?? env.SWITCHBOARD_URL ?? profile?.url)?.replace(/\/+$/, "");
  const token = options.token ?? env.SWITCHBOARD_TOKEN ?? profile?.token;
  if (url === undefined)
    throw new CliError("no server: pass --url, set SWITCHBOARD_URL or run switchboard login");
  if (token === undefined)
    throw new CliError("no token: pass --token, set SWITCHBOARD_TOKEN or run switchboard login");
  return {
    url,
    request: async <T>(method: string, path: string, body?: unknown) =>
      (
        await apiRequest<T>(url, method, path, {
          body,
          headers: { authorization: `Bearer ${token}` },
        })
      ).data,
    raw: (method, path, body, contentType) =>
      fetch(`${url}/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": contentType ?? "application/json",
        },
        ...(body === undefined
          ? {}
          : {
              body:
                contentType !== undefined && typeof body === "string" ? body : JSON.stringify(body),
            }),
      }).catch((error: unknown) => {
        throw unreachable(url, error);
      }),
  };
}
