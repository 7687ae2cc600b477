import { Invalid } from "../../errors.js";
import { canonicalIamAction } from "./iam-data-files.js";
import { iamServicePrefix } from "./iam-service-prefix.js";
import { operationException } from "./operation-exceptions.js";

const OPERATION_NAME = /^[A-Za-z][A-Za-z0-9]*$/;

/**
 * The IAM action an AWS SDK v3 operation needs, spelled as AWS spells it:
 * ("ec2", "DescribeInstances") → "ec2:DescribeInstances", ("s3", "ListBuckets") → "s3:ListAllMyBuckets".
 * Throws Invalid (400) when the service or the action is unknown to iam-data, so an operation
 * Switchboard cannot check is never sent.
 */
export function iamActionFor(service: string, operation: string): string {
  if (!OPERATION_NAME.test(operation)) {
    throw new Invalid(`"${operation}" is not an AWS operation name`, { field: "operation" });
  }
  const prefix = iamServicePrefix(service);
  const mapped = operationException(prefix, operation) ?? `${prefix}:${operation}`;
  const [mappedPrefix = prefix, actionName = operation] = mapped.split(":");
  const action = canonicalIamAction(mappedPrefix, actionName);
  if (action === undefined) {
    throw new Invalid(
      `${service} ${operation} has no IAM action in Switchboard's IAM data (looked for ${mapped}); it cannot be permission-checked, so it is not run`,
      { field: "operation" },
    );
  }
  return action;
}
