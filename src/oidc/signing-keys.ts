import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair, type JWK } from "jose";
import { recordAuditEvent, type RequestContext } from "../audit/index.js";
import type { DbOrTx } from "../db/index.js";
import {
  deleteScopedSecret,
  INSTALL_SCOPE,
  putScopedSecret,
  type KeystoreDeps,
} from "../keystore/index.js";
import type { OidcKeyTable } from "./oidc-key.table.js";

export const SIGNING_ALGORITHM = "RS256";
/** Tokens live at most this long, so a retired key must stay published at least as long. */
export const MAX_TOKEN_LIFETIME_SECONDS = 900;
// Clients cache JWKS documents and clocks drift: keep a retired key a minute longer.
const PUBLISH_MARGIN_SECONDS = 60;

async function createKey(deps: KeystoreDeps, tx: DbOrTx, now: Date): Promise<OidcKeyTable> {
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALGORITHM, {
    modulusLength: 2048,
    extractable: true,
  });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  const secretPath = `keys/system/oidc/${kid}`;
  await putScopedSecret(deps, tx, INSTALL_SCOPE, {
    path: secretPath,
    type: "key-pair",
    value: await exportPKCS8(privateKey),
    actor: "system",
  });
  const row: OidcKeyTable = {
    kid,
    secret_path: secretPath,
    public_jwk: JSON.stringify({ ...jwk, kid, alg: SIGNING_ALGORITHM, use: "sig" }),
    created_at: now.toISOString(),
    retired_at: null,
    publish_until: null,
  };
  await tx.insertInto("oidc_keys").values(row).execute();
  return row;
}

export async function currentSigningKey(db: DbOrTx): Promise<OidcKeyTable | undefined> {
  return db
    .selectFrom("oidc_keys")
    .selectAll()
    .where("retired_at", "is", null)
    .orderBy("created_at", "desc")
    .limit(1)
    .executeTakeFirst();
}

/** At start: makes the first signing key if there is none. */
export async function ensureSigningKey(deps: KeystoreDeps): Promise<OidcKeyTable> {
  return deps.db.transaction().execute(async (tx) => {
    return (await currentSigningKey(tx)) ?? createKey(deps, tx, deps.clock.now());
  });
}

/**
 * Makes a new key current. The old one stays in the JWKS until every token it signed has
 * expired; keys past that are deleted with their private halves.
 */
export async function rotateSigningKey(
  deps: KeystoreDeps,
  context: RequestContext,
): Promise<{ current: OidcKeyTable; retired: string[] }> {
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (tx) => {
    const publishUntil = new Date(
      now.getTime() + (MAX_TOKEN_LIFETIME_SECONDS + PUBLISH_MARGIN_SECONDS) * 1000,
    );
    const active = await tx
      .selectFrom("oidc_keys")
      .select("kid")
      .where("retired_at", "is", null)
      .execute();
    await tx
      .updateTable("oidc_keys")
      .set({ retired_at: now.toISOString(), publish_until: publishUntil.toISOString() })
      .where("retired_at", "is", null)
      .execute();
    const expired = await tx
      .selectFrom("oidc_keys")
      .selectAll()
      .where("publish_until", "<=", now.toISOString())
      .execute();
    for (const key of expired) {
      await deleteScopedSecret(tx, INSTALL_SCOPE, key.secret_path);
      await tx.deleteFrom("oidc_keys").where("kid", "=", key.kid).execute();
    }
    const current = await createKey(deps, tx, now);
    const retired = active.map((k) => k.kid);
    await recordAuditEvent(
      tx,
      context,
      {
        action: "oidc.rotate",
        objectType: "oidc-key",
        objectId: current.kid,
        detail: { retired, removed: expired.map((k) => k.kid) },
      },
      now,
    );
    return { current, retired };
  });
}

/** The public keys to publish: the current one and retired ones still within their window. */
export async function publishedKeys(db: DbOrTx, now: Date): Promise<JWK[]> {
  const rows = await db
    .selectFrom("oidc_keys")
    .select(["public_jwk", "retired_at"])
    .where((eb) =>
      eb.or([eb("retired_at", "is", null), eb("publish_until", ">", now.toISOString())]),
    )
    .orderBy("created_at", "desc")
    .execute();
  // The current key first, then the retired ones, newest first.
  const ordered = [
    ...rows.filter((r) => r.retired_at === null),
    ...rows.filter((r) => r.retired_at !== null),
  ];
  return ordered.map((r) => JSON.parse(r.public_jwk) as JWK);
}
