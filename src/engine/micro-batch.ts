/** How long a call may wait for others to share its batch. */
export interface BatchWindow {
  /** At most this long after the first call of a batch. */
  waitMs: number;
  /** A batch this big goes at once. */
  maxItems: number;
  /** True when no other call is coming (nothing else running): go at once. */
  alone: () => boolean;
}

/**
 * Gathers calls into batches: the calls made in the same turn of the event loop, and those made
 * while a batch is in flight, go together in the next one. The queue starts a fetched batch's jobs
 * in one loop, so their first statements share one round trip instead of one each.
 *
 * With a window, a call also waits (at most `waitMs`) for calls from later turns: on SQLite a
 * transaction never yields to I/O, so nothing arrives while one is in flight.
 */
export class MicroBatch<I, O> {
  #pending: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  #running = false;
  #scheduled = false;
  #timer: NodeJS.Timeout | undefined;

  /** `run` answers one result per item, in order. */
  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly window?: BatchWindow,
  ) {}

  call(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#pending.push({ item, resolve, reject });
      if (this.#running) return;
      const w = this.window;
      if (w !== undefined && this.#pending.length < w.maxItems && !w.alone()) {
        this.#timer ??= setTimeout(() => this.#schedule(), w.waitMs);
        return;
      }
      this.#schedule();
    });
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#running || this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => void this.#drain());
  }

  async #drain(): Promise<void> {
    this.#scheduled = false;
    this.#running = true;
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending;
        this.#pending = [];
        try {
          const results = await this.run(batch.map((b) => b.item));
          batch.forEach((b, i) => b.resolve(results[i] as O));
        } catch (error) {
          for (const b of batch) b.reject(error);
        }
      }
    } finally {
      this.#running = false;
    }
  }
}
