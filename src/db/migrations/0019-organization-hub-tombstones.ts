import { sql, type Kysely, type Migration } from "kysely";

/** The role ARN an assumed-role caller ARN stands for (as connections' principalArnOf). */
function principalArnOf(callerArn: string): string {
  const assumed = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(callerArn);
  return assumed === null ? callerArn : `arn:${assumed[1]}:iam::${assumed[2]}:role/${assumed[3]}`;
}

/**
 * Two organization safeguards. An assume_role onboarding now keeps the hub's principal ARN as it
 * was when onboarded (the member roles' trust policy names it, and the hub connection may be edited
 * since): each existing one takes its hub's last tested identity. And a deleted web_identity
 * organization leaves a tombstone: its StackSet stays in AWS and still gives accounts that join a
 * role trusting `<name>-<account id>`, so that name pattern stays reserved.
 */
export const organizationHubTombstones: Migration = {
  async up(db: Kysely<unknown>) {
    // The hub's id is inside the onboarding's JSON: each hub is read on its own.
    const organizations = await sql<{
      id: string;
      onboarding: string;
    }>`select id, onboarding from organizations where onboarding is not null`.execute(db);
    for (const row of organizations.rows) {
      const onboarding = JSON.parse(row.onboarding) as Record<string, unknown>;
      if (onboarding.hubPrincipalArn !== undefined) continue;
      let hubPrincipalArn: string | null = null;
      if (typeof onboarding.hubConnectionId === "string") {
        const hub = await sql<{
          health: string | null;
        }>`select health from connections where id = ${onboarding.hubConnectionId}`.execute(db);
        const health = hub.rows[0]?.health;
        const arn = health == null ? null : (JSON.parse(health) as { arn?: string | null }).arn;
        hubPrincipalArn = arn == null ? null : principalArnOf(arn);
      }
      await sql`update organizations set onboarding = ${JSON.stringify({ ...onboarding, hubPrincipalArn })}
        where id = ${row.id}`.execute(db);
    }
    await db.schema
      .createTable("organization_tombstones")
      .addColumn("org_id", "text", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("stack_set_name", "text")
      .addColumn("deleted_at", "text", (c) => c.notNull())
      .addColumn("deleted_by", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("organization_tombstones_pk", ["org_id", "name"])
      .execute();
  },
};
