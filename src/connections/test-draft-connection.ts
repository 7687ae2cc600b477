import { recordAuditEvent, type RequestContext } from "../audit/index.js";
import type { ConnectionRecord } from "./connection-record.js";
import type { Actor, CredentialDeps } from "./credential-deps.js";
import { uncachedCredentialsFor } from "./resolve-credentials.js";
import { externalIdValue } from "./external-id.js";
import type { DraftTest } from "./schemas.js";
import { probeConnection } from "./test-connection.js";

/**
 * Tests a connection before it is saved: the same calls and explained errors as a saved test,
 * with credentials that are never cached and no health record. The attempt is audited, as every
 * use of the server's identity or of a key-store secret is. An assume_role draft's answer names
 * the ExternalId it was tested with, to be sent back on save.
 */
export async function testDraftConnection(
  deps: CredentialDeps,
  context: RequestContext,
  draft: ConnectionRecord,
  actor: Actor,
): Promise<DraftTest> {
  const result = await probeConnection(deps, draft, uncachedCredentialsFor(deps, draft, actor), {
    draft: true,
  });
  await recordAuditEvent(deps.db, context, {
    action: "connection.test-draft",
    objectType: "connection",
    objectId: draft.name,
    outcome: result.ok ? "success" : "failure",
    detail: {
      method: draft.settings.method,
      ...(result.ok ? { accountId: result.accountId } : { error: result.error?.code }),
    },
  });
  if (draft.externalIdId === null) return result;
  return { ...result, externalId: await externalIdValue(deps.db, draft.externalIdId) };
}
