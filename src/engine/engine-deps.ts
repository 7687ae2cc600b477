import type { FastifyBaseLogger } from "fastify";
import type { SdkClientCache } from "../actions/index.js";
import type { Clock } from "../clock.js";
import type { CredentialDeps } from "../connections/index.js";
import type { Db } from "../db/index.js";
import { forManyCalls } from "../fan-out/index.js";
import type { KeystoreDeps } from "../keystore/index.js";
import type { Outbound } from "../outbound/index.js";
import type { Queue } from "./queue.js";
import type { RunEvents } from "./run-events.js";

/** The one resources object every system of the engine shares (trigger.dev's run engine does so). */
export interface EngineDeps {
  db: Db;
  clock: Clock;
  queue: Queue;
  keystore: KeystoreDeps;
  credentials: CredentialDeps;
  clients: SdkClientCache;
  outbound: Outbound;
  logger: Pick<FastifyBaseLogger, "info" | "warn" | "error">;
  /** In [0, 1): retry jitter. */
  random: () => number;
  /** What this process committed, for waiters in this process (the API's synchronous routes). */
  events: RunEvents;
  /** Aborts the calls in flight of a run cancelled on any worker (see cancel-watch.ts). */
  inFlight: InFlightRuns;
}

/** The abort controllers of the runs whose targets this process is running. */
export class InFlightRuns {
  private readonly runs = new Map<string, { controller: AbortController; count: number }>();

  enter(runId: string): AbortSignal {
    let entry = this.runs.get(runId);
    if (entry === undefined) {
      entry = { controller: new AbortController(), count: 0 };
      // Every target of the run in this process listens on it (up to targetConcurrency, 64).
      forManyCalls(entry.controller.signal);
      this.runs.set(runId, entry);
    }
    entry.count += 1;
    return entry.controller.signal;
  }

  leave(runId: string): void {
    const entry = this.runs.get(runId);
    if (entry === undefined) return;
    entry.count -= 1;
    if (entry.count <= 0) this.runs.delete(runId);
  }

  /** Targets running in this process now. */
  total(): number {
    let n = 0;
    for (const entry of this.runs.values()) n += entry.count;
    return n;
  }

  ids(): string[] {
    return [...this.runs.keys()];
  }

  abort(runId: string): void {
    this.runs.get(runId)?.controller.abort(new Error("the run was cancelled"));
  }
}
