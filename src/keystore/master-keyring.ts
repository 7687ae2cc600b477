import { createHmac, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export interface MasterKey {
  /** A fingerprint stored beside every wrapped data key, never the key itself. */
  id: string;
  key: Buffer;
}

/** The current master key (wraps new data keys) and any others that may still be in use. */
export interface MasterKeyring {
  current: MasterKey;
  byId: Map<string, MasterKey>;
  /** Where the current key came from, for messages. */
  source: string;
}

export class MasterKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MasterKeyError";
  }
}

export const MASTER_KEY_FILE = "master.key";
/** Written before a file-based rotation starts, renamed to master.key when it ends. */
export const NEXT_MASTER_KEY_FILE = "master.key.next";
/**
 * The key a rotation replaced. Servers still running with it may wrap new data keys until they
 * restart; keeping it readable means those are not lost. Delete it once a second run of
 * `keys rotate-master` re-wraps nothing.
 */
export const PREVIOUS_MASTER_KEY_FILE = "master.key.previous";

export function masterKeyId(key: Buffer): string {
  return createHmac("sha256", key).update("switchboard master key id").digest("hex").slice(0, 16);
}

/** Accepts 32 bytes as base64 or hex; `name` is the variable or file, for the message. */
export function parseMasterKey(text: string, name: string): MasterKey {
  const trimmed = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(trimmed)
    ? Buffer.from(trimmed, "hex")
    : Buffer.from(trimmed, "base64");
  if (key.length !== 32) {
    throw new MasterKeyError(
      `${name}: expected 32 random bytes as base64 (44 characters) or hex (64 characters); generate one with: openssl rand -base64 32`,
    );
  }
  return { id: masterKeyId(key), key };
}

export function generateMasterKeyText(): string {
  return randomBytes(32).toString("base64");
}

function readKeyFile(file: string): MasterKey | undefined {
  if (!fs.existsSync(file)) return undefined;
  return parseMasterKey(fs.readFileSync(file, "utf8"), file);
}

/** Writes a key file readable by its owner only, durably, without replacing an existing file. */
export function writeKeyFile(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const fd = fs.openSync(file, "wx", 0o600);
  try {
    fs.writeSync(fd, `${text}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export interface KeyringSources {
  /** SWITCHBOARD_MASTER_KEY */
  envKey: string | undefined;
  /** SWITCHBOARD_MASTER_KEY_PREVIOUS: the key being rotated away from. */
  envPreviousKey: string | undefined;
  dataDir: string;
}

/**
 * Loads the keyring: from the environment when SWITCHBOARD_MASTER_KEY is set, else from
 * master.key in the data directory (plus master.key.next if a rotation was interrupted).
 * `allowGenerate` creates master.key on a first start; it must be false when the database
 * already holds secrets, or a lost key would be silently replaced by a new one.
 */
export function loadMasterKeyring(
  sources: KeyringSources,
  allowGenerate: boolean,
): MasterKeyring | undefined {
  const keys: MasterKey[] = [];
  let current: MasterKey | undefined;
  let source: string;
  if (sources.envKey !== undefined) {
    current = parseMasterKey(sources.envKey, "SWITCHBOARD_MASTER_KEY");
    source = "SWITCHBOARD_MASTER_KEY";
    if (sources.envPreviousKey !== undefined) {
      keys.push(parseMasterKey(sources.envPreviousKey, "SWITCHBOARD_MASTER_KEY_PREVIOUS"));
    }
  } else {
    const file = path.join(sources.dataDir, MASTER_KEY_FILE);
    const next = readKeyFile(path.join(sources.dataDir, NEXT_MASTER_KEY_FILE));
    const existing = readKeyFile(file);
    source = file;
    if (existing === undefined && next === undefined) {
      if (!allowGenerate) return undefined;
      writeKeyFile(file, generateMasterKeyText());
    }
    const loaded = readKeyFile(file);
    // After an interrupted rotation both keys are needed until the rotation is finished.
    if (loaded !== undefined) keys.push(loaded);
    const previous = readKeyFile(path.join(sources.dataDir, PREVIOUS_MASTER_KEY_FILE));
    if (previous !== undefined) keys.push(previous);
    current = next ?? loaded;
    if (next !== undefined) source = path.join(sources.dataDir, NEXT_MASTER_KEY_FILE);
  }
  if (current === undefined) return undefined;
  const byId = new Map<string, MasterKey>([[current.id, current]]);
  for (const key of keys) if (!byId.has(key.id)) byId.set(key.id, key);
  return { current, byId, source };
}
