export type ThrottleKnob = {
  /** Sustained calls per second per (account, region, API), AWS's bucket refill rate. */
  ratePerSecond: number;
  /** Calls allowed in a burst: the bucket's capacity. */
  burst: number;
  /** Limit throttling to these services (credential-scope names); all when absent. */
  services?: string[];
  /** Limit throttling to these account ids (one busy account among many); all when absent. */
  accounts?: string[];
};

/**
 * Answers AWS calls as an endpoint that does not speak AWS would: a web server's error page, a
 * proxy's, another API's body. No signature is checked and no service behaviour runs.
 */
export type NotAwsKnob = {
  /** Default 404. */
  status?: number;
  /** Default `text/html; charset=utf-8`. */
  contentType?: string;
  /** Default an HTML "404 Not Found" page. */
  body?: string;
  /** Only calls to these services (credential-scope names, e.g. `ec2`, `sts`); all when absent. */
  services?: string[];
};

export type Knobs = {
  /** Added before each AWS call is answered: one figure, or per service with a default. */
  latencyMs: number | { default?: number; [service: string]: number | undefined };
  throttle: ThrottleKnob | undefined;
  /** Fraction (0..1) of AWS calls answered with an injected 5xx. */
  faultRate: number;
  faultStatus: 500 | 503;
  /** GetQueryResults polls answered `Running` before a Logs query is `Complete`. */
  queryPolls: number;
  /**
   * Reads of a stack set (or DescribeStacks of a stack) answered while its operation is
   * `RUNNING` (`CREATE_IN_PROGRESS`) before it completes; 0 completes it within the call.
   */
  cloudFormationPolls: number;
  notAws: NotAwsKnob | undefined;
};

export type KnobsInput = Partial<Knobs>;

export function resolveKnobs(input: KnobsInput | undefined): Knobs {
  return {
    latencyMs: input?.latencyMs ?? 0,
    throttle: input?.throttle,
    faultRate: input?.faultRate ?? 0,
    faultStatus: input?.faultStatus ?? 500,
    queryPolls: input?.queryPolls ?? 2,
    cloudFormationPolls: input?.cloudFormationPolls ?? 1,
    notAws: input?.notAws,
  };
}

export function latencyFor(knobs: Knobs, service: string): number {
  if (typeof knobs.latencyMs === "number") return knobs.latencyMs;
  return knobs.latencyMs[service] ?? knobs.latencyMs.default ?? 0;
}
