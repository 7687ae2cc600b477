/**
 * Who is asking, and from where: the request shapes that http/ (route helpers, auth hook),
 * access/ (which resolves the principal) and audit/ (which records the context) all need.
 * They live here, beside errors.ts, so that none of those folders imports another one just for
 * a type; route-helpers → access → routes → route-helpers was an import cycle.
 * This module imports nothing at runtime.
 */
import type { OrgRole } from "./access/tables.js";

/** Who is making a request, resolved once by the auth hook. */
export interface Principal {
  orgId: string;
  orgName: string;
  userId: string;
  userName: string;
  role: OrgRole;
  /** run: a run executing as its user, on a worker. */
  via: "token" | "session" | "run";
  tokenId?: string;
  sessionId?: string;
}

/** Where a change comes from: written on the audit event recorded with it. */
export interface RequestContext {
  orgId: string;
  actor: string;
  sourceIp: string | null;
  requestId: string | null;
}

/** The actor string written to the audit log (RequestContext.actor) for a principal. */
export function actorOf(principal: Principal): string {
  return `user:${principal.userName}`;
}
