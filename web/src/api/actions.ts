import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, ApiError, unwrap, type Body, type Ok } from "./client";
import { runsKey } from "./runs";

export type ActionItem = Ok<"/api/v1/actions", "get">["items"][number];
export type ActionInfo = Ok<"/api/v1/actions/{id}", "get">;
type RunResponse = Ok<"/api/v1/actions/{id}/run", "post">;
export type FanOutResponse = Extract<RunResponse, { results: unknown }>;
export type TargetResult = FanOutResponse["results"][number];
export type RunSummary = FanOutResponse["summary"];
export type RunInfo = FanOutResponse["run"];
export type RunRequest = Body<"/api/v1/actions/{id}/run", "post">;
export type MinimalPolicyEntry = Body<"/api/v1/policies/minimal", "post">["actions"][number];

export const actionsKey = ["actions"] as const;

/** The catalog: every action with its access level and permissions. */
export const actionsQuery = () =>
  queryOptions({
    queryKey: actionsKey,
    queryFn: () => unwrap(api.GET("/api/v1/actions")),
  });

/** One action: its input schema, output, permissions and access level. */
export const actionQuery = (id: string) =>
  queryOptions({
    queryKey: [...actionsKey, id] as const,
    queryFn: () => unwrap(api.GET("/api/v1/actions/{id}", { params: { path: { id } } })),
  });

/** The least-privilege policy for catalog actions (by id) and aws.call operations. */
export const minimalPolicyQuery = (entries: MinimalPolicyEntry[]) =>
  queryOptions({
    queryKey: ["policy", entries] as const,
    queryFn: () => unwrap(api.POST("/api/v1/policies/minimal", { body: { actions: entries } })),
    enabled: entries.length > 0,
    retry: false,
  });

/** One line of `POST /actions/{id}/run?stream=true`: a target's result, the end, or an error. */
type StreamLine =
  | { result: TargetResult }
  | { run: RunInfo; summary: RunSummary }
  | { error: { message: string; code: string; status?: number; field?: string } };

/**
 * Fans an action out with `?stream=true` and reports each target as it finishes. Resolves with
 * the run and its summary; a request the server refuses outright (bad input, no such action)
 * rejects with its ApiError, as does an error the server reports inside the stream.
 */
export async function streamRun(
  actionId: string,
  body: RunRequest,
  onResult: (result: TargetResult) => void,
  signal?: AbortSignal,
): Promise<{ run: RunInfo; summary: RunSummary }> {
  const stream = await unwrap(
    api.POST("/api/v1/actions/{id}/run", {
      params: { path: { id: actionId }, query: { stream: "true" } },
      body,
      parseAs: "stream",
      ...(signal === undefined ? {} : { signal }),
    }),
  );
  if (stream === null) throw new Error("the server sent no results");
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  let end: { run: RunInfo; summary: RunSummary } | undefined;
  const handle = (text: string) => {
    if (text.trim() === "") return;
    const line = JSON.parse(text) as StreamLine;
    if ("result" in line) onResult(line.result);
    else if ("error" in line)
      throw new ApiError(
        line.error.status ?? 500,
        line.error.code,
        line.error.message,
        line.error.field,
        undefined,
      );
    else if ("run" in line) end = line;
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
  if (end === undefined) throw new Error("the run's results ended early: see Runs for its outcome");
  return end;
}

export interface RunActionVariables {
  actionId: string;
  body: RunRequest;
  /** Each target's result as it finishes. */
  onResult: (result: TargetResult) => void;
  signal: AbortSignal;
}

/** Runs an action and streams its targets; the runs lists refresh when it ends. */
export function useRunAction() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (v: RunActionVariables) => streamRun(v.actionId, v.body, v.onResult, v.signal),
    onSettled: () => queryClient.invalidateQueries({ queryKey: runsKey }),
  });
}

/** What a run would do, worked out by the server without calling AWS. */
export type RunPlan = Ok<"/api/v1/actions/{id}/plan", "post">;
export type PlanTarget = RunPlan["targets"][number];

/** The plan of a run of an action with this request (the run's own body). */
export function usePlanRun() {
  return useMutation({
    mutationFn: (v: { actionId: string; body: RunRequest }) =>
      unwrap(
        api.POST("/api/v1/actions/{id}/plan", {
          params: { path: { id: v.actionId } },
          body: v.body,
        }),
      ),
  });
}
