import type { z } from "zod";

/** What an action's code gets for one target: SDK clients already bound to the connection and region. */
export interface ActionContext {
  region: string;
  /** The regions the target's connection allows. */
  regions: readonly string[];
  /**
   * A client of the given SDK class for this target (credentials, endpoint and HTTP layer set).
   * `region`: another of the connection's regions, for a global listing that follows a reference
   * there (a CloudFront origin's load balancer); a region the connection does not allow is refused.
   */
  client<C>(ClientClass: new (config: never) => C, options?: { region?: string }): C;
  /** Stop following pages after this many items. */
  maxItems: number | undefined;
  /** Items per page asked of AWS (the operation's MaxResults); AWS's default when absent. */
  pageSize: number | undefined;
  signal: AbortSignal;
  sleep(ms: number): Promise<void>;
}

export interface ActionDefinition<I = unknown> {
  /** `aws.<service>.<operation>` in camelCase. */
  id: string;
  title: string;
  description: string;
  /**
   * The SDK v3 client name (`ec2`, `cloudwatch-logs`, …): the IAM prefix, the throttling bucket,
   * and whether it runs once per account or once per region (isGlobalService).
   */
  sdkService: string;
  /** Every SDK operation it calls; their IAM actions are its permissions. */
  operations: string[];
  input: z.ZodType<I>;
  output: string;
  run(context: ActionContext, input: I): Promise<unknown>;
}

/** Keeps the input type of each definition while the catalog holds them side by side. */
export function defineAction<S extends z.ZodType>(
  definition: Omit<ActionDefinition<z.infer<S>>, "input"> & { input: S },
): ActionDefinition {
  return definition;
}
