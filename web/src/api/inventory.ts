import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, ApiError, csrfToken, toApiError, unwrap, type Body, type Ok } from "./client";

/** Live attributes of one resource, as the server lists them now (never stored). */
export interface LiveAttributes {
  name?: string;
  /** running, stopped, available, impaired, … */
  state?: string;
  details: Record<string, string | number | boolean | null>;
  tags?: Record<string, string>;
  /** CloudWatch alarms now in ALARM whose dimensions point at the resource. */
  alarms?: string[];
}

/** One line of `POST /inventory/attributes`: a resource's attributes now, or why there are none. */
export type AttributesLine =
  | { arn: string; type: string; attributes: LiveAttributes }
  | { arn: string; error: { code: string; message: string } };

/**
 * Streams the live attributes of resources of the inventory (NDJSON, one line per ARN, as each
 * scope answers). A line without an ARN (the server failed mid-way) rejects with its error.
 */
export async function streamAttributes(
  arns: string[],
  onLine: (line: AttributesLine) => void,
  signal?: AbortSignal,
): Promise<void> {
  const stream = await unwrap(
    api.POST("/api/v1/inventory/attributes", {
      body: { arns },
      parseAs: "stream",
      ...(signal === undefined ? {} : { signal }),
    }),
  );
  if (stream === null) return;
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  const handle = (text: string) => {
    if (text.trim() === "") return;
    const line = JSON.parse(text) as
      AttributesLine | { error: { code: string; message: string; status?: number } };
    if (!("arn" in line))
      throw new ApiError(
        line.error.status ?? 500,
        line.error.code,
        line.error.message,
        undefined,
        undefined,
      );
    onLine(line);
  };
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffered += value;
    let newline = buffered.indexOf("\n");
    while (newline >= 0) {
      handle(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf("\n");
    }
  }
  handle(buffered);
}

/** What a saved view keeps: the selection, the collapsed groups and the positions pinned. */
export interface ViewBody {
  name: string;
  selection: { connections: unknown; regions?: unknown };
  collapsed: string[];
  pinned: Record<string, { x: number; y: number }>;
  /** null: private; a team's name: shared with its members. */
  team: string | null;
}

export interface SavedView extends ViewBody {
  id: string;
  /** The owner's name or email. */
  owner: string;
  mine: boolean;
  updatedAt: string;
}

// The saved views' routes, as JSON requests with the session's CSRF token and the API's errors.
async function viewsRequest<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  const token = csrfToken();
  if (method !== "GET" && token !== undefined) headers["x-csrf-token"] = token;
  const response = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const parsed: unknown = text === "" ? undefined : JSON.parse(text);
  if (!response.ok) throw await toApiError(response, parsed);
  return parsed as T;
}

export const inventoryViewsKey = ["inventory", "views"] as const;

/** My saved views and those shared with a team I am in. */
export const inventoryViewsQuery = queryOptions({
  queryKey: inventoryViewsKey,
  queryFn: () => viewsRequest<{ items: SavedView[] }>("GET", "/api/v1/inventory/views"),
});

/** Saves a view: a new one (no id) or over one of mine (its id). */
export function useSaveInventoryView() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (v: { id?: string; body: ViewBody }) =>
      v.id === undefined
        ? viewsRequest<SavedView>("POST", "/api/v1/inventory/views", v.body)
        : viewsRequest<SavedView>(
            "PUT",
            `/api/v1/inventory/views/${encodeURIComponent(v.id)}`,
            v.body,
          ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: inventoryViewsKey }),
  });
}

export function useDeleteInventoryView() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      viewsRequest<undefined>("DELETE", `/api/v1/inventory/views/${encodeURIComponent(id)}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: inventoryViewsKey }),
  });
}

/** A diagram's selection: the connection and region selectors a sync takes. */
export type GraphSelection = Body<"/api/v1/inventory/graph", "post">;
export type InventoryGraph = Ok<"/api/v1/inventory/graph", "post">;

/** What the diagram draws: stored ARNs, parents and edges, accounts' health, stale scopes. */
export function graphQuery(selection: GraphSelection) {
  return queryOptions({
    queryKey: ["inventory", "graph", selection] as const,
    queryFn: () => unwrap(api.POST("/api/v1/inventory/graph", { body: selection })),
  });
}

/** The resource types a sync lists, with their titles ("Lambda function"). */
export const resourceTypesQuery = queryOptions({
  queryKey: ["inventory", "types"] as const,
  queryFn: async () => (await unwrap(api.GET("/api/v1/inventory/types"))).items,
  staleTime: Infinity,
});
