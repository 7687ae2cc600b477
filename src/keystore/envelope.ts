import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const ALGORITHM = "aes-256-gcm";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** AES-256-GCM with associated data; the output is iv ‖ tag ‖ ciphertext, base64. */
export function seal(key: Buffer, plaintext: Buffer, associatedData: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv);
  cipher.setAAD(Buffer.from(associatedData, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString("base64");
}

/** Throws when the key, the associated data or a single byte of the box is wrong. */
export function open(key: Buffer, box: string, associatedData: string): Buffer {
  const bytes = Buffer.from(box, "base64");
  const iv = bytes.subarray(0, IV_BYTES);
  const tag = bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv(ALGORITHM, key, iv);
  decipher.setAAD(Buffer.from(associatedData, "utf8"));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
}

/** What a secret's value is bound to: moving its ciphertext to another row breaks decryption. */
export function valueAad(secret: { orgId: string; id: string; path: string }): string {
  return JSON.stringify(["switchboard secret value v1", secret.orgId, secret.id, secret.path]);
}

export function dataKeyAad(secretId: string): string {
  return JSON.stringify(["switchboard data key v1", secretId]);
}

export function newDataKey(): Buffer {
  return randomBytes(32);
}
