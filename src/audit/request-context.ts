/** Where a change comes from: written on the audit event recorded with it. */
export interface RequestContext {
  orgId: string;
  actor: string;
  sourceIp: string | null;
  requestId: string | null;
}
