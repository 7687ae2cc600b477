import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** A bearer secret: `sb_` then 32 random bytes. Only its SHA-256 is stored. */
export function generateSecretToken(): string {
  return `sb_${randomBytes(32).toString("base64url")}`;
}

export function hashSecretToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

/** What a list may show of a token: enough to recognise it, never enough to use it. */
export function tokenPrefix(token: string): string {
  return token.slice(0, 7);
}
