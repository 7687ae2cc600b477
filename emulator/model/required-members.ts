import { AwsError } from "../aws-error.js";
import type { Operation, ServiceModel } from "./service-model.js";

// How each service words a required member the request left out, where that is known: CloudWatch
// models it (MissingRequiredParameterException, Query code MissingParameter); SQS answers with its
// Query-era common error. Other services check what their handlers need themselves.
const MISSING: Record<string, (member: string) => string> = {
  monitoring: (member) => `The parameter ${member} is required.`,
  sqs: (member) => `The request must contain the parameter ${member}.`,
};

/** Refuses a request without one of its operation's required top-level members, as AWS does. */
export function checkRequiredMembers(
  model: ServiceModel,
  operation: Operation,
  input: Record<string, unknown>,
): void {
  const message = MISSING[model.name];
  if (message === undefined) return;
  const missing = (operation.input.required ?? []).find(
    (name) => input[name] === undefined || input[name] === null,
  );
  if (missing !== undefined) throw new AwsError("MissingParameter", message(missing), 400);
}
