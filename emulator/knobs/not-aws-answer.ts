import type { WireResponse } from "../protocols/wire-response.js";
import type { NotAwsKnob } from "./knobs.js";

const NOT_FOUND_PAGE = `<!DOCTYPE html>
<html>
<head><title>404 Not Found</title></head>
<body>
<h1>Not Found</h1>
<p>The requested URL was not found on this server.<br>
</body>
</html>
`;

/**
 * The notAws knob's answer to a call to `service` (undefined for an unsigned call, which only a
 * knob without a service list answers), or undefined when the knob is off or names other services.
 */
export function notAwsAnswer(
  knob: NotAwsKnob | undefined,
  service: string | undefined,
): WireResponse | undefined {
  if (knob === undefined) return undefined;
  if (knob.services !== undefined && (service === undefined || !knob.services.includes(service)))
    return undefined;
  return {
    status: knob.status ?? 404,
    headers: { "content-type": knob.contentType ?? "text/html; charset=utf-8" },
    body: knob.body ?? NOT_FOUND_PAGE,
  };
}
