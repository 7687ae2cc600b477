/** A workflow's declared inputs (from its validated definition) and the form's values for them. */
export interface InputSpec {
  name: string;
  type: "string" | "number" | "boolean" | "array" | "object";
  description?: string;
  default?: unknown;
  required?: boolean;
  enum?: unknown[];
}

export type InputValue = string | number | boolean;

const TYPES = new Set(["string", "number", "boolean", "array", "object"]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function inputSpecs(definition: unknown): InputSpec[] {
  if (!isRecord(definition) || !isRecord(definition.inputs)) return [];
  return Object.entries(definition.inputs).flatMap(([name, raw]) => {
    if (!isRecord(raw) || typeof raw.type !== "string" || !TYPES.has(raw.type)) return [];
    return [
      {
        name,
        type: raw.type as InputSpec["type"],
        ...(typeof raw.description === "string" ? { description: raw.description } : {}),
        ...(raw.default === undefined ? {} : { default: raw.default }),
        ...(raw.required === true ? { required: true } : {}),
        ...(Array.isArray(raw.enum) ? { enum: raw.enum } : {}),
      },
    ];
  });
}

/** The field's first value: the default, in the form a field holds it (JSON text for lists). */
export function initialValue(spec: InputSpec): InputValue {
  const d = spec.default;
  switch (spec.type) {
    case "boolean":
      return d === true;
    case "number":
      return typeof d === "number" ? d : "";
    case "string":
      return typeof d === "string" ? d : "";
    default:
      return d === undefined ? "" : JSON.stringify(d);
  }
}

/** The inputs to send, or the first problem per field. Empty optional fields are left out. */
export function collectInputs(
  specs: InputSpec[],
  values: Record<string, InputValue>,
): { inputs: Record<string, unknown>; problems: Record<string, string> } {
  const inputs: Record<string, unknown> = {};
  const problems: Record<string, string> = {};
  for (const spec of specs) {
    const value = values[spec.name] ?? initialValue(spec);
    if (spec.type === "boolean") {
      inputs[spec.name] = value === true;
      continue;
    }
    if (value === "") {
      if (spec.required === true && spec.default === undefined) problems[spec.name] = "required";
      continue;
    }
    if (spec.type === "number") {
      const n = typeof value === "number" ? value : Number(value);
      if (Number.isNaN(n)) problems[spec.name] = "expected a number";
      else inputs[spec.name] = n;
    } else if (spec.type === "string") {
      inputs[spec.name] = String(value);
    } else {
      try {
        const parsed = JSON.parse(String(value)) as unknown;
        const ok = spec.type === "array" ? Array.isArray(parsed) : isRecord(parsed);
        if (ok) inputs[spec.name] = parsed;
        else problems[spec.name] = `expected a JSON ${spec.type}`;
      } catch {
        problems[spec.name] = `expected a JSON ${spec.type}`;
      }
    }
  }
  return { inputs, problems };
}
