import { useEffect, useMemo, useState } from "react";
import { streamAttributes } from "../../../api/inventory";
import { liveStatusOf, type LiveStatus } from "./live-status";

export type { LiveStatus };

const DEFAULT_INTERVAL_MS = 10_000;
// The route takes at most 1,000 ARNs; smaller requests show the first statuses sooner.
const CHUNK = 250;
// Requests in flight at once for one diagram.
const PARALLEL = 2;

/**
 * The live status of each ARN given, fetched from `POST /inventory/attributes` in chunks when
 * mounted, then every `intervalMs` (10 s) while the page is visible and at once when the window
 * regains focus. Unmounting (or a new set of ARNs) cancels what is in flight.
 */
export function useLiveStatus(
  arns: string[],
  options?: { intervalMs?: number },
): Map<string, LiveStatus> {
  const intervalMs = options?.intervalMs ?? DEFAULT_INTERVAL_MS;
  // Sorted: ARNs of one account, region and type fall in the same chunk, which the server lists
  // once; and a new array with the same ARNs does not restart the polling.
  const key = useMemo(() => [...new Set(arns)].sort().join("\n"), [arns]);
  const [statuses, setStatuses] = useState<Map<string, LiveStatus>>(() => new Map());

  useEffect(() => {
    const wanted = key === "" ? [] : key.split("\n");
    const keep = new Set(wanted);
    setStatuses((previous) => {
      const next = new Map<string, LiveStatus>();
      for (const [arn, status] of previous) if (keep.has(arn)) next.set(arn, status);
      return next.size === previous.size ? previous : next;
    });
    if (wanted.length === 0) return;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | null = null;
    let inFlight = false;

    const fetchChunk = async (chunk: string[]) => {
      const seen = new Set<string>();
      const lines = new Map<string, LiveStatus>();
      let failure: { code: string; message: string } | undefined;
      try {
        await streamAttributes(
          chunk,
          (line) => {
            seen.add(line.arn);
            lines.set(line.arn, liveStatusOf(line));
          },
          controller.signal,
        );
      } catch (error) {
        if (controller.signal.aborted) return;
        failure = {
          code: error instanceof Error && "code" in error ? String(error.code) : "FAILED",
          message: error instanceof Error ? error.message : String(error),
        };
      }
      if (controller.signal.aborted) return;
      if (failure !== undefined)
        for (const arn of chunk)
          if (!seen.has(arn)) lines.set(arn, { status: "unknown", error: failure });
      setStatuses((previous) => {
        const next = new Map(previous);
        for (const [arn, status] of lines) next.set(arn, status);
        return next;
      });
    };

    const refresh = async () => {
      if (inFlight || controller.signal.aborted) return;
      inFlight = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      try {
        const chunks: string[][] = [];
        for (let i = 0; i < wanted.length; i += CHUNK) chunks.push(wanted.slice(i, i + CHUNK));
        let next = 0;
        await Promise.all(
          Array.from({ length: Math.min(PARALLEL, chunks.length) }, async () => {
            while (next < chunks.length && !controller.signal.aborted) {
              const chunk = chunks[next++];
              if (chunk !== undefined) await fetchChunk(chunk);
            }
          }),
        );
      } finally {
        inFlight = false;
        if (!controller.signal.aborted) timer = setTimeout(tick, intervalMs);
      }
    };
    // A hidden tab does not ask AWS: it refreshes when it is looked at again.
    const tick = () => {
      if (document.visibilityState === "hidden") {
        timer = setTimeout(tick, intervalMs);
        return;
      }
      void refresh();
    };
    const onFocus = () => void refresh();

    void refresh();
    window.addEventListener("focus", onFocus);
    return () => {
      controller.abort();
      if (timer !== null) clearTimeout(timer);
      window.removeEventListener("focus", onFocus);
    };
  }, [key, intervalMs]);

  return statuses;
}
