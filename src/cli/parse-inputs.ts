import { CliError } from "./cli-error.js";

/** A value that reads as JSON (`3`, `true`, `["a"]`, `{"a":1}`) is that; anything else is the text. */
function valueOf(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * A run's inputs from `--input-json '{...}'` and repeated `--input key=value`; a key=value wins
 * over the same key in the JSON, so a saved JSON can be run with one value changed.
 */
export function parseInputs(
  pairs: readonly string[],
  json: string | undefined,
): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  if (json !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      throw new CliError(`--input-json: expected a JSON object, e.g. '{"regions":["us-east-1"]}'`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new CliError(`--input-json: expected a JSON object, e.g. '{"regions":["us-east-1"]}'`);
    }
    Object.assign(inputs, parsed);
  }
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at < 1) throw new CliError(`--input ${pair}: expected key=value`);
    inputs[pair.slice(0, at)] = valueOf(pair.slice(at + 1));
  }
  return inputs;
}
