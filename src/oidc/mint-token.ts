import { randomUUID } from "node:crypto";
import { importPKCS8, SignJWT } from "jose";
import type { RequestContext } from "../audit/index.js";
import { Invalid } from "../errors.js";
import { INSTALL_SCOPE, useSecret, type KeystoreDeps } from "../keystore/index.js";
import {
  currentSigningKey,
  MAX_TOKEN_LIFETIME_SECONDS,
  SIGNING_ALGORITHM,
} from "./signing-keys.js";

export interface OidcDeps {
  keystore: KeystoreDeps;
  /** SWITCHBOARD_PUBLIC_URL: the `iss` of every token and the base of the discovery URL. */
  issuer: string;
}

/** The audience AWS checks: one per org, so a role trusts one org's tokens only. */
export function audienceFor(org: string): string {
  return `${org}/app-id/switchboard.aws.connector`;
}

export function subjectFor(connectionName: string): string {
  return `switchboard:connection/${connectionName}`;
}

/**
 * Mints the web-identity token for one connection, signed with the current key. The private
 * key is decrypted from the key store for this use only, and the use is audited in the org.
 */
export async function mintConnectionToken(
  deps: OidcDeps,
  input: {
    org: string;
    connectionName: string;
    auditContext: RequestContext;
    lifetimeSeconds?: number;
  },
): Promise<{ token: string; expiresAt: Date }> {
  const lifetime = input.lifetimeSeconds ?? MAX_TOKEN_LIFETIME_SECONDS;
  if (!Number.isInteger(lifetime) || lifetime < 60 || lifetime > MAX_TOKEN_LIFETIME_SECONDS) {
    throw new Invalid(`a token lives 60 to ${MAX_TOKEN_LIFETIME_SECONDS} seconds`, {
      field: "lifetimeSeconds",
    });
  }
  const key = await currentSigningKey(deps.keystore.db);
  if (key === undefined) throw new Error("no OIDC signing key: the server creates one at start");
  const pem = await useSecret(deps.keystore, INSTALL_SCOPE, key.secret_path, {
    auditContext: input.auditContext,
    purpose: `sign web identity token for connection ${input.connectionName}`,
  });
  const privateKey = await importPKCS8(pem, SIGNING_ALGORITHM);
  const now = Math.floor(deps.keystore.clock.now().getTime() / 1000);
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: key.kid, typ: "JWT" })
    .setIssuer(deps.issuer)
    .setAudience(audienceFor(input.org))
    .setSubject(subjectFor(input.connectionName))
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + lifetime)
    .setJti(randomUUID())
    .sign(privateKey);
  return { token, expiresAt: new Date((now + lifetime) * 1000) };
}
