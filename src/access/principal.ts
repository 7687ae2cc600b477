import type { OrgRole } from "./tables.js";

/** Who is making a request, resolved once by the auth hook. */
export interface Principal {
  orgId: string;
  orgName: string;
  userId: string;
  userName: string;
  role: OrgRole;
  via: "token" | "session";
  tokenId?: string;
  sessionId?: string;
}

/** The actor string written to the audit log. */
export function actorOf(principal: Principal): string {
  return `user:${principal.userName}`;
}
