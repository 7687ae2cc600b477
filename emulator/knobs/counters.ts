export type CallCounters = {
  total: number;
  byService: Record<string, number>;
  byOperation: Record<string, number>;
  byAccount: Record<string, number>;
  byCaller: Record<string, number>;
  /** Authenticated calls per "account|region|service:Operation": whether one target was called twice. */
  byAccountRegionOperation: Record<string, number>;
  denials: number;
  authFailures: number;
  throttles: number;
  faults: number;
  /** Calls answered by the notAws knob, as something that is not AWS. */
  notAws: number;
  connections: number;
  /**
   * The most calls in flight at once per "account|region|service", from authentication to the
   * answer: how hard a client pressed one account's API, which AWS throttles.
   */
  peakInFlight: Record<string, number>;
};

export function emptyCounters(): CallCounters {
  return {
    total: 0,
    byService: {},
    byOperation: {},
    byAccount: {},
    byCaller: {},
    byAccountRegionOperation: {},
    denials: 0,
    authFailures: 0,
    throttles: 0,
    faults: 0,
    notAws: 0,
    connections: 0,
    peakInFlight: {},
  };
}

/** Zeroes counters in place, so every holder of the object sees the reset. */
export function resetCounters(counters: CallCounters): void {
  Object.assign(counters, emptyCounters());
}

export function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}
