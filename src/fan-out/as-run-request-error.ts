import type { RunRequest } from "../actions/index.js";
import { SwitchboardError } from "../errors.js";

// The run request's own fields (the compiler keeps the list complete); any other field an error
// names is one of the action's input.
const OWN: Record<keyof RunRequest, true> = {
  connection: true,
  region: true,
  connections: true,
  regions: true,
  everyConnection: true,
  input: true,
  maxItems: true,
  pageSize: true,
};
const RUN_REQUEST_FIELDS = new Set(Object.keys(OWN));

/**
 * An error about the action's input (raised by the catalog, the IAM data or the action itself,
 * which know the input only) names its field as the run request has it: `input.<field>`.
 */
export function asRunRequestError(error: unknown): unknown {
  if (
    !(error instanceof SwitchboardError) ||
    error.field === undefined ||
    RUN_REQUEST_FIELDS.has(error.field.split(".")[0] ?? "")
  )
    return error;
  const field = `input.${error.field}`;
  return new SwitchboardError(error.code, error.message, {
    field,
    cause: error,
    // Details that name the field (did-you-mean suggestions) name it as the request does.
    ...(error.details === undefined
      ? {}
      : {
          details: error.details.map((d) => (d.field === error.field ? { ...d, field } : d)),
        }),
  });
}
