import type { World, Role } from "../world/world.js";

export function findRole(world: World, roleArn: string): Role | undefined {
  const m = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/.exec(roleArn);
  if (m === null) return undefined;
  return world.accounts.get(m[1] ?? "")?.roles.get(m[2] ?? "");
}
