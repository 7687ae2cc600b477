import fs from "node:fs";
import path from "node:path";
import type { Db } from "../db/index.js";
import { dataKeyAad, seal } from "./envelope.js";
import { unwrapDataKey } from "./crypto-row.js";
import {
  generateMasterKeyText,
  loadMasterKeyring,
  MASTER_KEY_FILE,
  MasterKeyError,
  NEXT_MASTER_KEY_FILE,
  parseMasterKey,
  PREVIOUS_MASTER_KEY_FILE,
  writeKeyFile,
  type KeyringSources,
  type MasterKeyring,
} from "./master-keyring.js";

/**
 * Refuses to start when the database holds data keys wrapped by a master key this server
 * does not have: a clear error now instead of unreadable secrets later.
 */
export async function checkKeyring(db: Db, keyring: MasterKeyring | undefined): Promise<void> {
  const rows = await db.selectFrom("secrets").select("master_key_id").distinct().execute();
  const missing = rows.map((r) => r.master_key_id).filter((id) => keyring?.byId.has(id) !== true);
  if (missing.length === 0) return;
  if (keyring === undefined) {
    throw new MasterKeyError(
      `the database holds secrets wrapped by master key ${missing.join(", ")}, but no master key was found: set SWITCHBOARD_MASTER_KEY or restore ${MASTER_KEY_FILE} in the data directory`,
    );
  }
  throw new MasterKeyError(
    `the master key from ${keyring.source} (id ${keyring.current.id}) is not the one the database's secrets are wrapped by (id ${missing.join(", ")}); set SWITCHBOARD_MASTER_KEY to that key (during a rotation, the old one in SWITCHBOARD_MASTER_KEY_PREVIOUS)`,
  );
}

/**
 * Re-wraps every data key that is not under the current master key, one row per statement.
 * Each row always holds a data key wrapped by a key of the keyring, so a crash at any point
 * loses nothing: run it again to finish.
 */
export async function rewrapDataKeys(
  db: Db,
  keyring: MasterKeyring,
  options: { afterRow?: (done: number) => void } = {},
): Promise<number> {
  let done = 0;
  for (;;) {
    const rows = await db
      .selectFrom("secrets")
      .select(["id", "path", "wrapped_key", "master_key_id"])
      .where("master_key_id", "!=", keyring.current.id)
      .limit(100)
      .execute();
    if (rows.length === 0) return done;
    for (const row of rows) {
      const dataKey = unwrapDataKey(keyring, row);
      const wrapped = seal(keyring.current.key, dataKey, dataKeyAad(row.id));
      dataKey.fill(0);
      await db
        .updateTable("secrets")
        .set({ wrapped_key: wrapped, master_key_id: keyring.current.id })
        .where("id", "=", row.id)
        .where("master_key_id", "=", row.master_key_id)
        .execute();
      done += 1;
      options.afterRow?.(done);
    }
  }
}

export interface RotationResult {
  rewrapped: number;
  keyId: string;
  /** What the operator must do next, if anything. */
  next: string | null;
}

/**
 * `switchboard keys rotate-master`. With the key in the environment, the operator puts the new
 * key in SWITCHBOARD_MASTER_KEY and the old one in SWITCHBOARD_MASTER_KEY_PREVIOUS first. With
 * the key in the data directory, a new key is written to master.key.next before any row
 * changes, and renamed to master.key only when every row is re-wrapped.
 */
export async function rotateMasterKey(
  db: Db,
  sources: KeyringSources,
  options: { afterRow?: (done: number) => void } = {},
): Promise<RotationResult> {
  if (sources.envKey !== undefined) {
    const keyring = loadMasterKeyring(sources, false);
    if (keyring === undefined) throw new MasterKeyError("SWITCHBOARD_MASTER_KEY is empty");
    await checkKeyring(db, keyring);
    const rewrapped = await rewrapDataKeys(db, keyring, options);
    return {
      rewrapped,
      keyId: keyring.current.id,
      next:
        sources.envPreviousKey === undefined
          ? null
          : "every secret is under the new key: remove SWITCHBOARD_MASTER_KEY_PREVIOUS",
    };
  }
  const file = path.join(sources.dataDir, MASTER_KEY_FILE);
  const nextFile = path.join(sources.dataDir, NEXT_MASTER_KEY_FILE);
  if (!fs.existsSync(file)) throw new MasterKeyError(`no master key at ${file} to rotate from`);
  // An interrupted rotation left master.key.next: finish with it rather than start another.
  if (!fs.existsSync(nextFile)) writeKeyFile(nextFile, generateMasterKeyText());
  const keyring = loadMasterKeyring(sources, false);
  if (keyring === undefined) throw new MasterKeyError(`cannot read ${file}`);
  await checkKeyring(db, keyring);
  const rewrapped = await rewrapDataKeys(db, keyring, options);
  const newKey = parseMasterKey(fs.readFileSync(nextFile, "utf8"), nextFile);
  fs.renameSync(file, path.join(sources.dataDir, PREVIOUS_MASTER_KEY_FILE));
  fs.renameSync(nextFile, file);
  return {
    rewrapped,
    keyId: newKey.id,
    next: `restart every server, run keys rotate-master again (it re-wraps what they wrote meanwhile), then delete ${PREVIOUS_MASTER_KEY_FILE} and back up the new ${file}`,
  };
}
