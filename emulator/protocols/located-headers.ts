import type { Shape } from "../model/service-model.js";
import { scalarText } from "./wire-values.js";

/** Output members bound to HTTP headers, as REST protocols send them. */
export function locatedHeaders(
  shape: Shape,
  output: Record<string, unknown>,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, member] of Object.entries(shape.members)) {
    const value = output[name];
    if (value === undefined || value === null) continue;
    if (member.location === "header")
      headers[(member.locationName ?? name).toLowerCase()] = scalarText(member, value, "rfc822");
    if (member.location === "headers")
      for (const [k, v] of Object.entries(value as Record<string, unknown>))
        headers[`${(member.locationName ?? "").toLowerCase()}${k}`] = String(v);
  }
  return headers;
}
