import {
  infiniteQueryOptions,
  queryOptions,
  useMutation,
  useQueryClient,
} from "@tanstack/react-query";
import { api, ApiError, unwrap, type Body, type Ok } from "./client";

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

/** What a saved view keeps: its name, selection, collapsed groups, pinned positions and team. */
export type ViewBody = Body<"/api/v1/inventory/views", "post">;
/**
 * A saved view as listed: mine, or shared with a team I am in (`mine` false, `owner` who saved
 * it); without its collapsed groups and pinned positions (`inventoryViewQuery` has them).
 */
export type SavedView = Ok<"/api/v1/inventory/views", "get">["items"][number];
/** A saved view with what it keeps: selection, collapsed groups, pinned positions. */
export type SavedViewWhole = Ok<"/api/v1/inventory/views/{id}", "get">;

export const inventoryViewsKey = ["inventory", "views"] as const;

/** My saved views and those shared with a team I am in, 100 a page ("More views"). */
export const inventoryViewsQuery = infiniteQueryOptions({
  queryKey: [...inventoryViewsKey, "list"] as const,
  queryFn: ({ pageParam }) =>
    unwrap(
      api.GET("/api/v1/inventory/views", {
        params: { query: { limit: 100, ...(pageParam === null ? {} : { cursor: pageParam }) } },
      }),
    ),
  initialPageParam: null as string | null,
  getNextPageParam: (last) => last.nextCursor,
});

/** One saved view, fetched when it is opened (or renamed, which saves it whole). */
export function inventoryViewQuery(id: string) {
  return queryOptions({
    queryKey: [...inventoryViewsKey, "one", id] as const,
    queryFn: () => unwrap(api.GET("/api/v1/inventory/views/{id}", { params: { path: { id } } })),
  });
}

/** Saves a view: a new one (no id) or over one of mine (its id). */
export function useSaveInventoryView() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (v: { id?: string; body: ViewBody }) =>
      v.id === undefined
        ? unwrap(api.POST("/api/v1/inventory/views", { body: v.body }))
        : unwrap(
            api.PUT("/api/v1/inventory/views/{id}", {
              params: { path: { id: v.id } },
              body: v.body,
            }),
          ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: inventoryViewsKey }),
  });
}

/**
 * Renames or reshares one of my views: the list has no body, so the view is fetched whole and
 * saved with its new name and team.
 */
export function useRenameInventoryView() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (v: { id: string; name: string; team: string | null }) => {
      const whole = await queryClient.fetchQuery({ ...inventoryViewQuery(v.id), staleTime: 0 });
      return unwrap(
        api.PUT("/api/v1/inventory/views/{id}", {
          params: { path: { id: v.id } },
          body: {
            name: v.name,
            team: v.team,
            selection: whole.selection,
            collapsed: whole.collapsed,
            pinned: whole.pinned,
          },
        }),
      );
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: inventoryViewsKey }),
  });
}

export function useDeleteInventoryView() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(api.DELETE("/api/v1/inventory/views/{id}", { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: inventoryViewsKey }),
  });
}

/** Starts a sync of connections × regions (a run on the engine); resolves to its run's id. */
export function useStartSync() {
  return useMutation({
    mutationFn: (body: Body<"/api/v1/inventory/syncs", "post">) =>
      unwrap(api.POST("/api/v1/inventory/syncs", { body })),
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
