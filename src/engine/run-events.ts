import { EventEmitter } from "node:events";

/**
 * Tells waiters in this process that a run changed (a target settled, the run finished) when this
 * process committed the change. Work done by other workers is seen by polling the tables: the
 * tables hold the truth, the events only make a local wait short.
 */
export class RunEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  changed(runId: string): void {
    this.emitter.emit(runId);
  }

  /** Resolves when the run changes in this process, or after `timeoutMs`, or when aborted. */
  async next(runId: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.emitter.off(runId, done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.emitter.on(runId, done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }
}
