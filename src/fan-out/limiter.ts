/**
 * Bounds the calls in flight per key (`account/region/service`, a target's bucket). In one
 * process it is a KeyedSemaphore; across workers the queue's group concurrency enforces it, and
 * the engine passes a limiter that only runs the call.
 */
export interface Limiter {
  run<T>(key: string, fn: () => Promise<T>): Promise<T>;
}
