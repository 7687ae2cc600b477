/** What a run shows for an EC2 DryRun that would have succeeded. */
export interface DryRunOutcome {
  dryRun: "would succeed";
  /** AWS's own words ("Request would have succeeded, but DryRun flag is set."). */
  message: string;
}

/**
 * EC2 answers a DryRun whose permission checks pass with the error DryRunOperation (HTTP 412):
 * for the person who asked, that is the success they were checking for. Any other error is
 * thrown on.
 */
export function dryRunOutcome(error: unknown): DryRunOutcome {
  if (error instanceof Error && error.name === "DryRunOperation")
    return { dryRun: "would succeed", message: error.message };
  throw error;
}
