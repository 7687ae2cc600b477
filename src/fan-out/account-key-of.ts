import type { ConnectionRecord } from "../connections/index.js";

/**
 * The AWS account a connection reaches: learned by its last test, or else read from its role's
 * ARN (arn:aws:iam::<account>:role/…); a connection of neither kind counts as its own.
 */
export function accountKeyOf(connection: ConnectionRecord): string {
  if (connection.accountId !== null) return connection.accountId;
  const s = connection.settings;
  const fromArn =
    s.method === "assume_role" || s.method === "web_identity" ? s.roleArn.split(":")[4] : undefined;
  return fromArn === undefined || fromArn === "" ? `connection:${connection.id}` : fromArn;
}
