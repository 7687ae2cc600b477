import type { Selection } from "../fan-out/index.js";

/**
 * A workflow step's connection and region selectors as the fan-out takes them. A step may mix
 * the two forms (`connections` with one `region`, one `connection` with `regions`, a
 * `connection` alone), which the fan-out reads as an incomplete single target: here the single
 * one becomes a list of one. Only `connection` with `region` is a single target; no connection
 * at all is every connection the run may execute.
 */
export function stepSelection(selection: Selection): Selection {
  const single = selection.connection !== undefined && selection.region !== undefined;
  if (single && selection.connections === undefined && selection.regions === undefined)
    return selection;
  const { connection, region, ...rest } = selection;
  const normalized: Selection = { ...rest };
  if (connection !== undefined) normalized.connections = [connection];
  if (region !== undefined) normalized.regions = [region];
  if (normalized.connections === undefined) normalized.connections = "*";
  return normalized;
}
