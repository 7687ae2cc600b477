// Keys whose values are secrets in AWS responses (Secrets Manager values, STS credentials,
// RDS master passwords, private keys …). A list is not masked because of its name alone:
// `SecretList` is metadata.
const SECRET_KEY =
  /^(secretstring|secretbinary|secretaccesskey|sessiontoken|privatekey|keymaterial|authtoken|plaintext|.*password|.*secret)$/i;

export const REDACTED = "[redacted]";

/** A deep copy with secret-looking values masked; Lambda environment values are masked whole. */
export function redact(value: unknown, key = ""): unknown {
  if (key !== "" && SECRET_KEY.test(key) && value !== null && value !== undefined) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => redact(v));
  if (value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      // Environment variables hold whatever their owners put there, secrets included.
      out[k] =
        key === "Environment" && k === "Variables" && typeof v === "object" && v !== null
          ? Object.fromEntries(Object.keys(v).map((name) => [name, REDACTED]))
          : redact(v, k);
    }
    return out;
  }
  return value;
}
