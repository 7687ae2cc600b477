/** At most `limit` tasks at once; the rest wait in arrival order. */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  /** Nothing running and nothing waiting. */
  get idle(): boolean {
    return this.active === 0 && this.waiting.length === 0;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    // A finished task hands its slot straight to the next in line, so a newcomer arriving in
    // between never pushes the count over the limit.
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active += 1;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next === undefined) this.active -= 1;
      else next();
    }
  }
}

/** One semaphore per key (account, region, service), made on first use and dropped when idle. */
export class KeyedSemaphore {
  private readonly semaphores = new Map<string, Semaphore>();

  constructor(private readonly limit: number) {}

  /** Keys with a task running or waiting. */
  get size(): number {
    return this.semaphores.size;
  }

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    let semaphore = this.semaphores.get(key);
    if (semaphore === undefined) {
      semaphore = new Semaphore(this.limit);
      this.semaphores.set(key, semaphore);
    }
    try {
      return await semaphore.run(task);
    } finally {
      if (semaphore.idle) this.semaphores.delete(key);
    }
  }
}
