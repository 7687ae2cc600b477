import { Invalid } from "../errors.js";
import type { WorkflowDefinition } from "./definition-schema.js";

function typeOf(value: unknown): string {
  return Array.isArray(value) ? "array" : value === null ? "null" : typeof value;
}

/** The run's inputs: defaults filled in, each given one checked against its declared type. */
export function resolveInputs(
  definition: WorkflowDefinition,
  given: Record<string, unknown>,
): Record<string, unknown> {
  const declared = definition.inputs ?? {};
  const inputs: Record<string, unknown> = {};
  for (const name of Object.keys(given)) {
    if (!(name in declared)) {
      const known = Object.keys(declared);
      throw new Invalid(
        `inputs.${name}: workflow ${definition.name} has no input ${name}${known.length === 0 ? "" : ` (it has ${known.join(", ")})`}`,
        { field: `inputs.${name}` },
      );
    }
  }
  for (const [name, spec] of Object.entries(declared)) {
    const value = given[name] ?? spec.default;
    if (value === undefined) {
      if (spec.required === true)
        throw new Invalid(`inputs.${name}: required`, { field: `inputs.${name}` });
      continue;
    }
    if (typeOf(value) !== spec.type) {
      throw new Invalid(`inputs.${name}: expected a ${spec.type}, got ${typeOf(value)}`, {
        field: `inputs.${name}`,
      });
    }
    if (
      spec.enum !== undefined &&
      !spec.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))
    ) {
      throw new Invalid(
        `inputs.${name}: expected one of ${spec.enum.map((e) => JSON.stringify(e)).join(", ")}`,
        {
          field: `inputs.${name}`,
        },
      );
    }
    inputs[name] = value;
  }
  return inputs;
}
