import type { ConnectionRecord } from "../connections/index.js";
import { Refused } from "../errors.js";

const ACCESS_POLICY_NAME = { view: "ViewOnlyAccess", read: "ReadOnlyAccess" } as const;

/** The refusal of an action that the connection's access setting does not allow. */
export function accessRefusal(
  actionId: string,
  connection: ConnectionRecord,
  denied: { action: string; accessLevel: string },
): Refused {
  const setting =
    connection.access === "full"
      ? "full"
      : `${connection.access} (AWS managed ${ACCESS_POLICY_NAME[connection.access]})`;
  return new Refused(
    "ACCESS_REFUSED",
    `${actionId} needs ${denied.action} (access level ${denied.accessLevel}), which connection ${connection.name} does not allow: its access is ${setting}; an editor can set access full`,
  );
}
