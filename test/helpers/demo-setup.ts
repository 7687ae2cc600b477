import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Db } from "../../src/db/index.js";

export const DEMO_WORLD = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../emulator/worlds/demo.yaml",
);
/** The ExternalId the demo world's roles trust. */
export const DEMO_EXTERNAL_ID = "sb-demo-external-id";

/**
 * Gives every assume_role connection of the default org the ExternalId a world's trust policies
 * name (call it after creating them). Only tests and the demo do this, straight in the database:
 * the API never lets anyone choose an ExternalId.
 */
export async function useExternalId(db: Db, value: string): Promise<void> {
  const org = await db
    .selectFrom("orgs")
    .select("id")
    .where("name", "=", "default")
    .executeTakeFirstOrThrow();
  await db.updateTable("external_ids").set({ value }).where("org_id", "=", org.id).execute();
}

/** `useExternalId` with the one the demo world's roles trust. */
export async function useDemoExternalId(db: Db): Promise<void> {
  await useExternalId(db, DEMO_EXTERNAL_ID);
}

/** Points the SDK's default chain at the emulator's IMDS, and away from anything on this machine. */
export function useEmulatorAsInstance(emulatorUrl: string): () => void {
  const saved = { ...process.env };
  for (const key of [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
  ]) {
    delete process.env[key];
  }
  process.env.AWS_SHARED_CREDENTIALS_FILE = "/nonexistent/credentials";
  process.env.AWS_CONFIG_FILE = "/nonexistent/config";
  process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = emulatorUrl;
  return () => {
    process.env = saved;
  };
}
