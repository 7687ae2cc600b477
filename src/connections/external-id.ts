import { randomBytes } from "node:crypto";
import type { Principal } from "../access/index.js";
import { recordAuditEvent, type RequestContext } from "../audit/index.js";
import type { DbOrTx } from "../db/index.js";
import { Invalid, NotFound } from "../errors.js";
import { newId } from "../ids.js";

// Long enough to set up the role (a change request, a CloudFormation stack) before saving.
export const DRAFT_EXTERNAL_ID_TTL_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * Every ExternalId is generated here, one per connection: a user who could choose it could name
 * another connection's (of their org or another) and reach its role through Switchboard — the
 * confused deputy the ExternalId exists to stop.
 */
function newValue(): string {
  return `switchboard-${randomBytes(24).toString("base64url")}`;
}

// By the user's id, not their name: a user deleted and made again under the same name is
// someone else, who must not save the connections the first one drafted.
function issuer(principal: Principal): string {
  return `user-id:${principal.userId}`;
}

/** The value of an ExternalId by its id. */
export async function externalIdValue(db: DbOrTx, id: string): Promise<string> {
  const row = await db
    .selectFrom("external_ids")
    .select("value")
    .where("id", "=", id)
    .executeTakeFirst();
  if (row === undefined) throw new NotFound(`ExternalId ${id}`);
  return row.value;
}

/**
 * Whether other connections' roles trust the same value: connections made before per-connection
 * ExternalIds kept the org's one value, and a group's one (an onboarding's) is shared by design.
 */
export async function isSharedExternalId(db: DbOrTx, orgId: string, id: string): Promise<boolean> {
  const row = await db
    .selectFrom("external_ids")
    .select(["value", "owner_kind"])
    .where("id", "=", id)
    .executeTakeFirst();
  if (row === undefined) throw new NotFound(`ExternalId ${id}`);
  // A group's value (an Organizations onboarding) is trusted by every member role of the group.
  if (row.owner_kind === "group") return true;
  const value = row.value;
  const other = await db
    .selectFrom("external_ids")
    .select("id")
    .where("org_id", "=", orgId)
    .where("value", "=", value)
    .where("id", "!=", id)
    .executeTakeFirst();
  return other !== undefined;
}

/**
 * A new ExternalId for a connection not saved yet, so its role can be set up first. It is the
 * principal's alone: only they can save a connection with it, and only once. Drafts older than
 * the TTL that nobody saved are removed on the way.
 */
export async function issueDraftExternalId(
  db: DbOrTx,
  principal: Principal,
  now: Date,
): Promise<{ id: string; value: string }> {
  await db
    .deleteFrom("external_ids")
    .where("org_id", "=", principal.orgId)
    .where("claimed_at", "is", null)
    .where("created_at", "<", new Date(now.getTime() - DRAFT_EXTERNAL_ID_TTL_MS).toISOString())
    .execute();
  const row = {
    id: newId(now.getTime()),
    org_id: principal.orgId,
    value: newValue(),
    owner_kind: "connection" as const,
    issued_to: issuer(principal),
    created_at: now.toISOString(),
    claimed_at: null,
    rotated_at: null,
  };
  await db.insertInto("external_ids").values(row).execute();
  return { id: row.id, value: row.value };
}

function notIssued(): Invalid {
  return new Invalid(
    "externalId is not one Switchboard issued to you for a new connection (or it was used, or is older than 30 days): leave it out, or send the one POST /api/v1/connections/setup-documents gave you",
    { field: "externalId" },
  );
}

/** The id of a draft ExternalId the principal was issued and has not used yet. */
export async function draftExternalId(
  db: DbOrTx,
  principal: Principal,
  value: string,
  now: Date,
): Promise<string> {
  const row = await db
    .selectFrom("external_ids")
    .select("id")
    .where("org_id", "=", principal.orgId)
    .where("value", "=", value)
    .where("issued_to", "=", issuer(principal))
    .where("claimed_at", "is", null)
    .where("created_at", ">=", new Date(now.getTime() - DRAFT_EXTERNAL_ID_TTL_MS).toISOString())
    .executeTakeFirst();
  if (row === undefined) throw notIssued();
  return row.id;
}

/**
 * The ExternalId a new connection takes: the draft's the principal brings (claimed atomically,
 * so two saves cannot both take it), or a new one.
 */
export async function claimExternalId(
  db: DbOrTx,
  principal: Principal,
  value: string | undefined,
  now: Date,
): Promise<string> {
  if (value === undefined) {
    const id = newId(now.getTime());
    await db
      .insertInto("external_ids")
      .values({
        id,
        org_id: principal.orgId,
        value: newValue(),
        owner_kind: "connection",
        issued_to: null,
        created_at: now.toISOString(),
        claimed_at: now.toISOString(),
        rotated_at: null,
      })
      .execute();
    return id;
  }
  const id = await draftExternalId(db, principal, value, now);
  const claimed = await db
    .updateTable("external_ids")
    .set({ claimed_at: now.toISOString() })
    .where("id", "=", id)
    .where("claimed_at", "is", null)
    .executeTakeFirst();
  if (claimed.numUpdatedRows !== 1n) throw notIssued();
  return id;
}

/**
 * A new ExternalId shared by a group of connections: the member roles of an Organizations
 * onboarding, created by one StackSet template that is the same in every account. Generated
 * here like every other one; nobody chooses it.
 */
export async function issueGroupExternalId(
  db: DbOrTx,
  orgId: string,
  now: Date,
): Promise<{ id: string; value: string }> {
  const row = {
    id: newId(now.getTime()),
    org_id: orgId,
    value: newValue(),
    owner_kind: "group" as const,
    issued_to: null,
    created_at: now.toISOString(),
    claimed_at: now.toISOString(),
    rotated_at: null,
  };
  await db.insertInto("external_ids").values(row).execute();
  return { id: row.id, value: row.value };
}

/** Forgets an ExternalId no connection uses any more (its connection was deleted). */
export async function dropExternalId(db: DbOrTx, id: string): Promise<void> {
  await db
    .deleteFrom("external_ids")
    .where("id", "=", id)
    .where("owner_kind", "=", "connection")
    .execute();
}

export const ROTATION_WARNING =
  "the role's trust policy must now require this ExternalId: until it is updated, the connection cannot assume its role";

/**
 * Gives a connection a new ExternalId. The caller checks the principal may edit it, and forgets
 * its cached credentials after the commit.
 */
export async function rotateConnectionExternalId(
  db: DbOrTx,
  context: RequestContext,
  connection: { id: string; name: string; externalIdId: string | null },
  now: Date,
): Promise<string> {
  if (connection.externalIdId === null) {
    throw new Invalid(
      `connection ${connection.name} does not assume a role with an ExternalId: only assume_role connections have one`,
      { field: "method" },
    );
  }
  const owner = await db
    .selectFrom("external_ids")
    .select("owner_kind")
    .where("id", "=", connection.externalIdId)
    .executeTakeFirst();
  // A new value here would change every member role's connection at once, and no role's trust.
  if (owner?.owner_kind === "group") {
    throw new Invalid(
      `connection ${connection.name} shares its ExternalId with the other member connections of an AWS Organization onboarding (one StackSet template for every account): it cannot be rotated for one connection`,
      { field: "externalId" },
    );
  }
  const value = newValue();
  await db
    .updateTable("external_ids")
    .set({ value, rotated_at: now.toISOString() })
    .where("id", "=", connection.externalIdId)
    .execute();
  await recordAuditEvent(
    db,
    context,
    {
      action: "connection.external-id.rotate",
      objectType: "connection",
      objectId: connection.name,
    },
    now,
  );
  return value;
}
