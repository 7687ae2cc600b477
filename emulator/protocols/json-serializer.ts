import type { Shape } from "../model/service-model.js";
import { epochSeconds, toDate } from "./wire-values.js";
import { presentMembers } from "../model/member-entries.js";

/** Output values as the JSON protocols carry them: epoch-second timestamps, base64 blobs. */
export function jsonValue(shape: Shape, value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  switch (shape.type) {
    case "structure": {
      const out: Record<string, unknown> = {};
      const source = value as Record<string, unknown>;
      for (const [name, member] of presentMembers(shape, source)) {
        if (member.location !== undefined) continue;
        const v = jsonValue(member, source[name]);
        if (v !== undefined) out[member.locationName ?? name] = v;
      }
      return out;
    }
    case "list":
      return (Array.isArray(value) ? value : [value]).map((item) =>
        jsonValue(shape.member ?? { type: "string", members: {} }, item),
      );
    case "map": {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>))
        out[k] = jsonValue(shape.value ?? { type: "string", members: {} }, v);
      return out;
    }
    case "timestamp":
      return shape.timestampFormat === "iso8601"
        ? toDate(value).toISOString()
        : epochSeconds(value);
    case "blob":
      return Buffer.isBuffer(value)
        ? value.toString("base64")
        : Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64");
    case "integer":
    case "long":
    case "float":
    case "double":
      return typeof value === "number" ? value : Number(value);
    case "boolean":
      return value === true || value === "true";
    default:
      return typeof value === "string" ? value : JSON.stringify(value);
  }
}
