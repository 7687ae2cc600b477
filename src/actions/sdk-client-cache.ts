/**
 * SDK clients kept across runs: building one resolves its whole configuration (0.4–0.6 ms of
 * CPU), which a fan-out of thousands of targets would otherwise pay per target. The key says
 * what a client is built from (see `targetContext`: org, endpoint, region, service — never
 * credentials); past the bound, the least recently used go first.
 */
export class SdkClientCache {
  private readonly clients = new Map<string, unknown>();

  constructor(private readonly maxEntries = 1000) {}

  get<C>(key: string, create: () => C): C {
    const existing = this.clients.get(key);
    if (existing !== undefined) {
      // Re-insert to mark it recently used.
      this.clients.delete(key);
      this.clients.set(key, existing);
      return existing as C;
    }
    const client = create();
    this.clients.set(key, client);
    if (this.clients.size > this.maxEntries) {
      const oldest = this.clients.keys().next().value;
      if (oldest !== undefined) this.clients.delete(oldest);
    }
    return client;
  }
}
