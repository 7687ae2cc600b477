import { Migrator, type Migration, type MigrationProvider } from "kysely";
import type { Db } from "./database.js";
import { foundation } from "./migrations/0001-foundation.js";
import { keystoreOidc } from "./migrations/0002-keystore-oidc.js";
import { outbound } from "./migrations/0003-outbound.js";
import { connections } from "./migrations/0004-connections.js";
import { runs } from "./migrations/0005-runs.js";
import { runTargetSessions } from "./migrations/0006-run-target-sessions.js";
import { connectionExternalIds } from "./migrations/0007-connection-external-ids.js";
import { signInAttempts } from "./migrations/0008-sign-in-attempts.js";
import { runOwners } from "./migrations/0009-run-owners.js";
import { webIdentitySubjects } from "./migrations/0010-web-identity-subjects.js";
import { workflowEngine } from "./migrations/0011-workflow-engine.js";
import { organizations } from "./migrations/0013-organizations.js";
import { inventory } from "./migrations/0014-inventory.js";
import { runTargetConnections } from "./migrations/0015-run-target-connections.js";
import { inventoryViews } from "./migrations/0016-inventory-views.js";
import { organizationGrantTeams } from "./migrations/0017-organization-grant-teams.js";
import { connectionGrantTeams } from "./migrations/0018-connection-grant-teams.js";
import { organizationHubTombstones } from "./migrations/0019-organization-hub-tombstones.js";
import { organizationGrantUsers } from "./migrations/0020-organization-grant-users.js";
import { principalIds } from "./migrations/0021-principal-ids.js";
import { actingUserIds } from "./migrations/0022-acting-user-ids.js";
import { secretAllowedHosts } from "./migrations/0023-secret-allowed-hosts.js";

/** Migrations are listed in code, so the build carries them and both dialects run the same ones. */
const MIGRATIONS: Record<string, Migration> = {
  "0001-foundation": foundation,
  "0002-keystore-oidc": keystoreOidc,
  "0003-outbound": outbound,
  "0004-connections": connections,
  "0005-runs": runs,
  "0006-run-target-sessions": runTargetSessions,
  "0007-connection-external-ids": connectionExternalIds,
  "0008-sign-in-attempts": signInAttempts,
  "0009-run-owners": runOwners,
  "0010-web-identity-subjects": webIdentitySubjects,
  "0011-workflow-engine": workflowEngine,
  "0013-organizations": organizations,
  "0014-inventory": inventory,
  "0015-run-target-connections": runTargetConnections,
  "0016-inventory-views": inventoryViews,
  "0017-organization-grant-teams": organizationGrantTeams,
  "0018-connection-grant-teams": connectionGrantTeams,
  "0019-organization-hub-tombstones": organizationHubTombstones,
  "0020-organization-grant-users": organizationGrantUsers,
  "0021-principal-ids": principalIds,
  "0022-acting-user-ids": actingUserIds,
  "0023-secret-allowed-hosts": secretAllowedHosts,
};

const provider: MigrationProvider = {
  getMigrations: () => Promise.resolve(MIGRATIONS),
};

export interface MigrateResult {
  applied: string[];
}

export async function migrateToLatest(db: Db): Promise<MigrateResult> {
  return migrate(db, "latest");
}

/** Migrates up to and including `target`: upgrade tests start from an older schema. */
export async function migrateTo(db: Db, target: string): Promise<MigrateResult> {
  return migrate(db, target);
}

async function migrate(db: Db, target: string): Promise<MigrateResult> {
  const migrator = new Migrator({ db, provider });
  const { error, results } =
    target === "latest" ? await migrator.migrateToLatest() : await migrator.migrateTo(target);
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === "Error");
    throw new Error(
      `database migration ${failed?.migrationName ?? "(unknown)"} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`,
      { cause: error },
    );
  }
  return {
    applied: (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName),
  };
}
