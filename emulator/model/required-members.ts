import { AwsError } from "../aws-error.js";
import type { Operation, ServiceModel, Shape } from "./service-model.js";

type Style = (missing: { name: string; shape: Shape }[]) => AwsError;

// The validation layer most AWS services share names each member in lower camel case:
// "1 validation error detected: Value null at 'stackName' failed to satisfy constraint: Member must
// not be null" (several: "2 validation errors detected: …; …").
function validationMessage(names: string[]): string {
  const detail = names
    .map(
      (n) =>
        `Value null at '${n.charAt(0).toLowerCase()}${n.slice(1)}' failed to satisfy constraint: Member must not be null`,
    )
    .join("; ");
  return `${String(names.length)} validation error${names.length === 1 ? "" : "s"} detected: ${detail}`;
}

const validation =
  (code: string): Style =>
  (missing) =>
    new AwsError(code, validationMessage(missing.map((m) => m.name)), 400);

// EC2 names the first missing parameter as it travels on the wire (InstanceIds goes as InstanceId).
const ec2: Style = ([first]) => {
  const wire = first?.shape.queryName ?? first?.shape.locationName ?? first?.name ?? "";
  return new AwsError(
    "MissingParameter",
    `The request must contain the parameter ${wire.charAt(0).toUpperCase()}${wire.slice(1)}`,
    400,
  );
};

// How each service answers a request without a required member, where it is known: CloudWatch
// models it (MissingRequiredParameterException, Query code MissingParameter); SQS answers with its
// Query-era common error; EC2 with MissingParameter; DynamoDB, Secrets Manager and CloudFormation
// with the shared validation error. Other services check what their handlers need themselves.
const STYLES: Record<string, Style> = {
  monitoring: ([first]) =>
    new AwsError("MissingParameter", `The parameter ${first?.name ?? ""} is required.`, 400),
  sqs: ([first]) =>
    new AwsError(
      "MissingParameter",
      `The request must contain the parameter ${first?.name ?? ""}.`,
      400,
    ),
  ec2,
  dynamodb: validation("ValidationException"),
  secretsmanager: validation("ValidationException"),
  cloudformation: validation("ValidationError"),
};

/** Refuses a request without one of its operation's required top-level members, as AWS does. */
export function checkRequiredMembers(
  model: ServiceModel,
  operation: Operation,
  input: Record<string, unknown>,
): void {
  const style = STYLES[model.name];
  if (style === undefined) return;
  const shape = operation.input;
  const missing = (shape.required ?? [])
    .filter((name) => input[name] === undefined || input[name] === null)
    .map((name) => ({
      name,
      shape: shape.members[name] ?? { type: "string" as const, members: {} },
    }));
  if (missing.length > 0) throw style(missing);
}
