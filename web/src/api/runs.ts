import {
  infiniteQueryOptions,
  keepPreviousData,
  queryOptions,
  useMutation,
  useQueryClient,
} from "@tanstack/react-query";
import { api, unwrap, type Ok } from "./client";

export type RunItem = Ok<"/api/v1/runs", "get">["items"][number];
export type RunDetail = Ok<"/api/v1/runs/{id}", "get">;
export type RunStep = RunDetail["steps"][number];
export type RunStatus = RunItem["status"];
export type TargetPage = Ok<"/api/v1/runs/{id}/targets", "get">;
export type RunTarget = TargetPage["items"][number];
export type TargetStatus = RunTarget["status"];

// Mirrors src/runs/statuses.ts (a server file the bundle cannot import).
const FINISHED: readonly string[] = ["succeeded", "failed", "partial", "cancelled", "interrupted"];
const REDRIVABLE: readonly string[] = ["failed", "partial", "cancelled"];
const STEP_SETTLED: readonly string[] = [
  "succeeded",
  "failed",
  "partial",
  "skipped",
  "cancelled",
  "interrupted",
];

export const isRunFinished = (status: string) => FINISHED.includes(status);
export const canRedrive = (status: string) => REDRIVABLE.includes(status);
export const isStepSettled = (status: string) => STEP_SETTLED.includes(status);

export const TARGET_STATUSES: TargetStatus[] = [
  "pending",
  "started",
  "succeeded",
  "failed",
  "refused",
  "skipped",
  "unknown",
  "cancelled",
];

export const TARGETS_PAGE = 100;

export interface RunFilters {
  status?: RunStatus | undefined;
  kind?: "action" | "workflow" | undefined;
  workflow?: string | undefined;
}

export const runsKey = ["runs"] as const;
export const runKey = (id: string) => ["runs", "one", id] as const;

/** One page of runs, newest first, filtered on the server. */
export function runsPage(filters: RunFilters, limit: number, cursor: string | null) {
  const query = {
    limit,
    ...(cursor === null ? {} : { cursor }),
    ...(filters.status === undefined ? {} : { status: filters.status }),
    ...(filters.kind === undefined ? {} : { kind: filters.kind }),
    ...(filters.workflow === undefined ? {} : { workflow: filters.workflow }),
  };
  return unwrap(api.GET("/api/v1/runs", { params: { query } }));
}

/** The runs list, 200 a page ("Load more"), polled while any run shown is still going. */
export function runsListQuery(filters: RunFilters) {
  return infiniteQueryOptions({
    queryKey: ["runs", "list", "all", filters] as const,
    queryFn: ({ pageParam }) => runsPage(filters, 200, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: (q) =>
      q.state.data?.pages.some((p) => p.items.some((r) => !isRunFinished(r.status))) === true
        ? 2000
        : false,
  });
}

/** A run and its steps, polled while it is not finished (slower while it waits for a person). */
export function runQuery(id: string) {
  return queryOptions({
    queryKey: runKey(id),
    queryFn: () => unwrap(api.GET("/api/v1/runs/{id}", { params: { path: { id } } })),
    refetchInterval: (q) => {
      const status = q.state.data?.status;
      if (status === undefined || isRunFinished(status)) return false;
      return status === "waiting" ? 4000 : 1500;
    },
  });
}

/**
 * One server page (100) of a step's targets; polled while the step is still running. `revision`
 * (the step's status and settled count, from the polled run) fetches again when the step moves,
 * so the last targets to settle are not left showing as started.
 */
export function runTargetsQuery(
  id: string,
  step: string,
  status: TargetStatus | null,
  cursor: string | null,
  live: boolean,
  revision: string,
) {
  return queryOptions({
    queryKey: ["runs", "targets", id, step, status, cursor, revision] as const,
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/runs/{id}/targets", {
          params: {
            path: { id },
            query: {
              step,
              limit: TARGETS_PAGE,
              ...(status === null ? {} : { status }),
              ...(cursor === null ? {} : { cursor }),
            },
          },
        }),
      ),
    placeholderData: keepPreviousData,
    refetchInterval: live ? 2000 : false,
  });
}

/**
 * Every target of a step (pages of 1,000), for the table of their items; fetched again when the
 * step moves (`revision`, as for runTargetsQuery).
 */
export function allStepTargetsQuery(id: string, step: string, revision: string) {
  return queryOptions({
    queryKey: ["runs", "all-targets", id, step, revision] as const,
    queryFn: async () => {
      const items: RunTarget[] = [];
      let cursor: string | null = null;
      do {
        const page: TargetPage = await unwrap(
          api.GET("/api/v1/runs/{id}/targets", {
            params: {
              path: { id },
              query: { step, limit: 1000, ...(cursor === null ? {} : { cursor }) },
            },
          }),
        );
        items.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor !== null);
      return items;
    },
    placeholderData: keepPreviousData,
  });
}

/** Cancel, redrive, approve and decline: each refreshes the run (and the lists) when done. */
export function useRunCommand(id: string) {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: runsKey });
  const path = { params: { path: { id } } };
  return {
    cancel: useMutation({
      mutationFn: () => unwrap(api.POST("/api/v1/runs/{id}/cancel", path)),
      onSettled: refresh,
    }),
    redrive: useMutation({
      mutationFn: () => unwrap(api.POST("/api/v1/runs/{id}/redrive", path)),
      onSettled: refresh,
    }),
    decide: useMutation({
      mutationFn: (d: { decision: "approve" | "decline"; step: string; reason: string }) => {
        const body = {
          step: d.step,
          ...(d.reason.trim() === "" ? {} : { reason: d.reason.trim() }),
        };
        return d.decision === "approve"
          ? unwrap(api.POST("/api/v1/runs/{id}/approve", { ...path, body }))
          : unwrap(api.POST("/api/v1/runs/{id}/decline", { ...path, body }));
      },
      onSettled: refresh,
    }),
  };
}
