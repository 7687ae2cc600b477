import type { Principal } from "../access/index.js";
import type { ConnectionDeps } from "./connection-deps.js";
import { Invalid } from "../errors.js";
import { checkEndpoint, requireEndpointSetter } from "./check-endpoint.js";
import type { ConnectionRecord } from "./connection-record.js";
import {
  projectIdOf,
  settingsOf,
  toStoredSettings,
  userSettingsOf,
  visibleConnection,
} from "./connections.js";
import { draftExternalId, externalIdValue, issueDraftExternalId } from "./external-id.js";
import { requireRole } from "./grants.js";
import type { CreateConnectionInput } from "./schemas.js";
import { checkWebIdentitySubject } from "./web-identity-subjects.js";

/**
 * A connection as `createConnection` would store it, checked the same way (endpoint allow-list,
 * project, the secret and source connection the principal may use, ambient for admins only),
 * but not stored. With `replacing`, it is an edit of that saved connection: the principal must
 * be its editor, and only the settings that differ from the saved ones are checked again, as
 * `updateConnection` does. A web_identity draft may not have the subject of another connection,
 * deleted or renamed, unless an org admin confirms, as on save.
 *
 * An assume_role draft carries the ExternalId the saved connection will have, so its role can be
 * set up before saving: an edit's is the saved connection's; a new one's is the draft
 * ExternalId the principal brings back, or one issued to them now.
 */
export async function draftConnection(
  deps: ConnectionDeps,
  principal: Principal,
  input: CreateConnectionInput,
  replacing: string | undefined,
): Promise<ConnectionRecord> {
  if (input.endpoint !== undefined) await checkEndpoint(deps, principal.orgId, input.endpoint);
  const projectId = await projectIdOf(deps.db, principal, input.project);
  const settings = settingsOf(input);
  let previous: { self: ConnectionRecord; changed: Set<string> } | undefined;
  if (replacing !== undefined) {
    const { connection, roles } = await visibleConnection(deps.db, principal, replacing);
    requireRole(roles, "editor", connection.name);
    const saved = await userSettingsOf(deps.db, connection);
    const draft = settings as Record<string, unknown>;
    const changed = new Set(
      [...new Set([...Object.keys(saved), ...Object.keys(draft)])].filter(
        (key) => JSON.stringify(saved[key]) !== JSON.stringify(draft[key]),
      ),
    );
    previous = { self: connection, changed };
  }
  await requireEndpointSetter(deps, principal, input.endpoint, previous?.self.endpoint ?? null);
  const storedSettings = await toStoredSettings(
    deps.db,
    principal,
    settings,
    previous?.self.projectId ?? projectId,
    previous,
  );
  // A draft's test signs a token for its subject: it may open the roles a saved one could.
  if (input.method === "web_identity") {
    await checkWebIdentitySubject(deps.db, principal, {
      name: input.name,
      connectionId: previous?.self.id ?? null,
      confirmReuse: input.confirmSubjectReuse,
    });
  }
  const nowDate = deps.clock.now();
  let externalIdId: string | null = null;
  if (input.method === "assume_role") {
    const kept =
      previous?.self.settings.method === "assume_role" ? previous.self.externalIdId : null;
    if (kept !== null) {
      if (
        input.externalId !== undefined &&
        input.externalId !== (await externalIdValue(deps.db, kept))
      ) {
        throw new Invalid(
          `an edit keeps ${previous?.self.name ?? "the connection"}'s ExternalId: leave externalId out, or rotate it (POST /api/v1/connections/${previous?.self.name ?? ""}/external-id/rotate)`,
          { field: "externalId" },
        );
      }
      externalIdId = kept;
    } else if (input.externalId !== undefined) {
      externalIdId = await draftExternalId(deps.db, principal, input.externalId, nowDate);
    } else {
      externalIdId = (await issueDraftExternalId(deps.db, principal, nowDate)).id;
    }
  }
  const now = nowDate.toISOString();
  return {
    id: previous?.self.id ?? "draft",
    orgId: principal.orgId,
    name: input.name,
    settings: storedSettings,
    access: input.access,
    regions: input.regions,
    endpoint: input.endpoint ?? null,
    tags: input.tags,
    projectId,
    accountId: null,
    health: null,
    externalIdId,
    createdAt: previous?.self.createdAt ?? now,
    createdBy: previous?.self.createdBy ?? `user:${principal.userName}`,
    updatedAt: now,
  };
}
