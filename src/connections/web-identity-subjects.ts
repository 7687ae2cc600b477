import type { Principal } from "../access/index.js";
import type { DbOrTx } from "../db/index.js";
import { Conflict, Forbidden } from "../errors.js";
import { subjectFor } from "../oidc/index.js";

/**
 * What saving a web_identity connection does to its subject: takes a subject nobody used
 * (`new`), keeps its own (`held`), or takes over one another connection used, deleted or
 * renamed since (`reused`, an org admin's confirmed choice).
 */
export type SubjectClaim = "new" | "held" | "reused";

/**
 * Whether a web_identity connection (`connectionId`, null for a new one) may have the subject of
 * `name`. A role trusts a subject, not a connection: the subject of a deleted or renamed
 * connection may still open a role, so another connection may take it only when an org admin
 * confirms, having checked which roles trust it. Nothing is written: drafts are checked too.
 */
export async function checkWebIdentitySubject(
  db: DbOrTx,
  principal: Principal,
  input: { name: string; connectionId: string | null; confirmReuse: boolean | undefined },
): Promise<SubjectClaim> {
  const subject = subjectFor(input.name);
  const row = await db
    .selectFrom("web_identity_subjects")
    .select("connection_id")
    .where("org_id", "=", principal.orgId)
    .where("subject", "=", subject)
    .executeTakeFirst();
  if (row === undefined) {
    await refuseOrganizationMemberName(db, principal.orgId, input.name);
    return "new";
  }
  if (input.connectionId !== null && row.connection_id === input.connectionId) return "held";
  if (input.confirmReuse !== true) {
    throw new Conflict(
      `${subject} was the web identity subject of a connection that was deleted or renamed, and AWS roles may still trust it: a web_identity connection named ${input.name} would be let into them. Choose another name, or an org admin who has checked which roles trust ${subject} may reuse it by sending "confirmSubjectReuse": true`,
      { field: "name", code: "WEB_IDENTITY_SUBJECT_RESERVED" },
    );
  }
  if (principal.role !== "admin") {
    throw new Forbidden(`only org admins may reuse the web identity subject ${subject}`, {
      field: "confirmSubjectReuse",
    });
  }
  return "reused";
}

/**
 * A web_identity organization's StackSet gives every account that joins a member role trusting
 * `<organization>-<account id>` at once, but the subject is reserved only when the next reconcile
 * connects it: until then no connection may take such a name (the reconcile reserves it first, so
 * its own connection passes). Reads the organizations table: that feature imports this one.
 */
async function refuseOrganizationMemberName(db: DbOrTx, orgId: string, name: string) {
  const prefix = /^(.+)-\d{12}$/.exec(name)?.[1];
  if (prefix === undefined) return;
  const organization = await db
    .selectFrom("organizations")
    .select("onboarding")
    .where("org_id", "=", orgId)
    .where("name", "=", prefix)
    .executeTakeFirst();
  const onboarding =
    organization?.onboarding == null
      ? null
      : (JSON.parse(organization.onboarding) as { method?: string });
  if (onboarding?.method !== "web_identity") {
    // A deleted web_identity organization's StackSet stays in AWS and still gives accounts that
    // join a role trusting this subject (delete-organization.ts keeps the tombstone).
    const tombstone = await db
      .selectFrom("organization_tombstones")
      .select("stack_set_name")
      .where("org_id", "=", orgId)
      .where("name", "=", prefix)
      .executeTakeFirst();
    if (tombstone === undefined) return;
    throw new Conflict(
      `${name} is the name the deleted organization ${prefix} gave the member connection of an account: its StackSet${tombstone.stack_set_name === null ? "" : ` ${tombstone.stack_set_name}`} stays in AWS until deleted there, and gives each account that joins a member role trusting ${subjectFor(name)}. Choose another name`,
      { field: "name", code: "WEB_IDENTITY_SUBJECT_RESERVED" },
    );
  }
  throw new Conflict(
    `${name} is the name organization ${prefix} gives the member connection of an account: its member roles trust ${subjectFor(name)}, and a reconcile creates that connection when the account joins. Choose another name`,
    { field: "name", code: "WEB_IDENTITY_SUBJECT_RESERVED" },
  );
}

/** Checks as `checkWebIdentitySubject` does, then records the subject as this connection's. */
export async function claimWebIdentitySubject(
  tx: DbOrTx,
  principal: Principal,
  input: { name: string; connectionId: string; confirmReuse: boolean | undefined },
  by: { actor: string; now: Date },
): Promise<SubjectClaim> {
  const claim = await checkWebIdentitySubject(tx, principal, input);
  const subject = subjectFor(input.name);
  const claimed = {
    connection_id: input.connectionId,
    claimed_at: by.now.toISOString(),
    claimed_by: by.actor,
  };
  if (claim === "new") {
    // Two saves racing for a new subject: the primary key refuses the second (a name conflict).
    await tx
      .insertInto("web_identity_subjects")
      .values({ org_id: principal.orgId, subject, ...claimed })
      .execute();
  } else if (claim === "reused") {
    await tx
      .updateTable("web_identity_subjects")
      .set(claimed)
      .where("org_id", "=", principal.orgId)
      .where("subject", "=", subject)
      .execute();
  }
  return claim;
}

/**
 * Reserves subjects for no connection: AWS roles that another feature deployed trust them (an
 * organization's member roles trust `<organization>-<account id>`), so a connection may take one
 * only with an org admin's confirmation, as a deleted connection's. Subjects already recorded
 * keep their record.
 */
export async function reserveWebIdentitySubjects(
  db: DbOrTx,
  orgId: string,
  names: readonly string[],
  by: { actor: string; now: Date },
): Promise<void> {
  for (let i = 0; i < names.length; i += 500) {
    await db
      .insertInto("web_identity_subjects")
      .values(
        names.slice(i, i + 500).map((name) => ({
          org_id: orgId,
          subject: subjectFor(name),
          connection_id: null,
          claimed_at: by.now.toISOString(),
          claimed_by: by.actor,
        })),
      )
      .onConflict((oc) => oc.columns(["org_id", "subject"]).doNothing())
      .execute();
  }
}
