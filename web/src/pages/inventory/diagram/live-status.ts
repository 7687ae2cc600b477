/** A component's live status, as the diagram colours it. */
export interface LiveStatus {
  /** running | stopped | available | impaired | alarm | unknown | … */
  status: string;
  name?: string;
  alarms?: string[];
  error?: { code: string; message: string };
}

/** The parts of an attributes line the status reads (the route's line, without its details). */
export type StatusLine =
  | { arn: string; attributes: { name?: string; state?: string; alarms?: string[] } }
  | { arn: string; error: { code: string; message: string } };

/**
 * The status a line of the attributes stream gives: `alarm` while a CloudWatch alarm on the
 * resource is in ALARM, else AWS's state, `unknown` without one; an error line keeps its error.
 */
export function liveStatusOf(line: StatusLine): LiveStatus {
  if ("error" in line) return { status: "unknown", error: line.error };
  const { name, state, alarms } = line.attributes;
  const alarming = alarms !== undefined && alarms.length > 0;
  return {
    status: alarming ? "alarm" : (state ?? "unknown"),
    ...(name === undefined ? {} : { name }),
    ...(alarming ? { alarms } : {}),
  };
}
