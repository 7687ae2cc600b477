import { SwitchboardError } from "../errors.js";
import type { DefinitionError } from "./parse-definition.js";

/** A workflow definition with errors: the first in the message, all of them (with line and column) in details. */
export class DefinitionInvalid extends SwitchboardError {
  readonly errors: DefinitionError[];

  constructor(errors: DefinitionError[]) {
    const first = errors[0];
    const where = (e: DefinitionError) =>
      `line ${e.line}, column ${e.column}: ${e.path === "" ? "" : `${e.path}: `}${e.message}`;
    super(
      "DEFINITION_INVALID",
      first === undefined
        ? "the workflow definition is invalid"
        : `${where(first)}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ""}`,
      {
        // The definition is the body: its root is named so.
        field: first === undefined || first.path === "" ? "body" : first.path,
        details: errors.map((e) => ({ ...e })),
      },
    );
    this.errors = errors;
  }
}
