import { Invalid } from "../../errors.js";

export type PolicyStatement = {
  Sid: string;
  Effect: "Allow";
  Action: string[];
  Resource: "*";
};

export type PolicyDocument = { Version: "2012-10-17"; Statement: PolicyStatement[] };

const IAM_ACTION = /^([a-z0-9-]+):([a-z0-9]+)$/i;

/** "secretsmanager" → "SwitchboardSecretsmanager", "s3-object-lambda" → "SwitchboardS3ObjectLambda". */
function sidFor(prefix: string): string {
  const words = prefix.split("-").map((word) => word.charAt(0).toUpperCase() + word.slice(1));
  return `Switchboard${words.join("")}`;
}

/**
 * The least-privilege identity policy for a set of IAM actions: one statement per service
 * prefix, actions de-duplicated and sorted. Resource is "*" because the actions are chosen per
 * operation, not per resource; Sids are alphanumeric, as `aws iam create-policy` requires.
 */
export function minimalPolicy(iamActions: readonly string[]): PolicyDocument {
  const byPrefix = new Map<string, Set<string>>();
  for (const action of iamActions) {
    const match = IAM_ACTION.exec(action);
    if (match?.[1] === undefined) {
      throw new Invalid(`"${action}" is not an IAM action such as "ec2:DescribeInstances"`, {
        field: "actions",
      });
    }
    // IAM prefixes are case-insensitive; grouping on the lower-case form keeps one statement each.
    const prefix = match[1].toLowerCase();
    const actions = byPrefix.get(prefix) ?? new Set<string>();
    actions.add(`${prefix}:${match[2] ?? ""}`);
    byPrefix.set(prefix, actions);
  }
  const statements = [...byPrefix.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([prefix, actions]): PolicyStatement => ({
      Sid: sidFor(prefix),
      Effect: "Allow",
      Action: [...actions].sort(),
      Resource: "*",
    }));
  return { Version: "2012-10-17", Statement: statements };
}
