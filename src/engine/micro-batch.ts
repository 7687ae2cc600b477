/**
 * Gathers calls into batches: the calls made in the same turn of the event loop, and those made
 * while a batch is in flight, go together in the next one. The queue starts a fetched batch's jobs
 * in one loop, so their first statements share one round trip instead of one each.
 */
export class MicroBatch<I, O> {
  #pending: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  #running = false;
  #scheduled = false;

  /** `run` answers one result per item, in order. */
  constructor(private readonly run: (items: I[]) => Promise<O[]>) {}

  call(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#pending.push({ item, resolve, reject });
      if (!this.#running && !this.#scheduled) {
        this.#scheduled = true;
        queueMicrotask(() => void this.#drain());
      }
    });
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
