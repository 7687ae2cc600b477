import { Upstream } from "../errors.js";
import type { ExplainedError } from "./schemas.js";

/** An AWS refusal as the API's error: the explanation in the message, and in `details`. */
export function awsFailure(explained: ExplainedError): Upstream {
  return new Upstream(`${explained.message}. Fix: ${explained.fix}`, {
    code: "AWS_ERROR",
    details: [{ ...explained }],
  });
}
