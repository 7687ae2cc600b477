import type { Clock } from "../clock.js";
import type { Db } from "../db/index.js";
import type { KeystoreDeps } from "./keystore-deps.js";
import { loadMasterKeyring, type KeyringSources } from "./master-keyring.js";
import { checkKeyring } from "./master-key-rotation.js";

/**
 * At start: loads the master keyring and checks it against the database. A key file is
 * generated only when the database holds no secret yet, so a lost key is an error, never
 * silently replaced.
 */
export async function openKeystore(
  db: Db,
  clock: Clock,
  sources: KeyringSources,
): Promise<KeystoreDeps> {
  const anySecret = await db.selectFrom("secrets").select("id").limit(1).executeTakeFirst();
  const keyring = loadMasterKeyring(sources, anySecret === undefined);
  await checkKeyring(db, keyring);
  if (keyring === undefined)
    throw new Error("unreachable: a keyring is generated when the database is empty");
  return { db, keyring, clock };
}
