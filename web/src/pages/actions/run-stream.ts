import { api, ApiError, unwrap, type Body, type Ok } from "../../api/client";

type RunResponse = Ok<"/api/v1/actions/{id}/run", "post">;
export type FanOutResponse = Extract<RunResponse, { results: unknown }>;
export type TargetResult = FanOutResponse["results"][number];
export type RunSummary = FanOutResponse["summary"];
export type RunInfo = FanOutResponse["run"];
export type RunRequest = Body<"/api/v1/actions/{id}/run", "post">;

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
    else end = line;
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
