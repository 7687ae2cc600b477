import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { afterAll, beforeAll, expect, it } from "vitest";
import { mintConnectionToken, rotateSigningKey } from "../../src/oidc/index.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

const ISSUER = "https://switchboard.test";
const system = { actor: "system", sourceIp: null, requestId: null };

describeEachDatabase("OIDC issuer", (suite) => {
  let now = new Date();
  let t: TestApp;
  let base: string;
  let orgId: string;

  beforeAll(async () => {
    t = await createTestApp(suite.handle().db, { clock: { now: () => now } });
    base = await t.app.listen({ port: 0, host: "127.0.0.1" });
    orgId = (
      await suite
        .handle()
        .db.selectFrom("orgs")
        .select("id")
        .where("name", "=", "default")
        .executeTakeFirstOrThrow()
    ).id;
  });
  afterAll(() => t.close());

  const oidc = () => ({ keystore: t.keystore, issuer: ISSUER });
  const mint = (connectionName: string) =>
    mintConnectionToken(oidc(), {
      org: "default",
      connectionName,
      auditContext: { ...system, orgId },
    });
  // A fresh JWKS client each time, as a relying party that has not cached the keys yet.
  const verify = (token: string) =>
    jwtVerify(token, createRemoteJWKSet(new URL(`${base}/.well-known/jwks.json`)), {
      issuer: ISSUER,
      audience: "default/app-id/switchboard.aws.connector",
      currentDate: now,
    });
  // A retired key stays published for 16 minutes (a token's 15, and a minute's margin). A test
  // that counts the published keys first lets the clock pass the keys another test retired.
  const outlastRetiredKeys = () => {
    now = new Date(now.getTime() + 16 * 60 * 1000);
  };

  it("publishes the discovery document and the JWKS", async () => {
    outlastRetiredKeys();
    const discovery = await (await fetch(`${base}/.well-known/openid-configuration`)).json();
    expect(discovery).toMatchObject({
      issuer: ISSUER,
      jwks_uri: `${ISSUER}/.well-known/jwks.json`,
      id_token_signing_alg_values_supported: ["RS256"],
    });
    const jwks = (await (await fetch(`${base}/.well-known/jwks.json`)).json()) as {
      keys: Record<string, string>[];
    };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig" });
    expect(jwks.keys[0]).not.toHaveProperty("d");
  });

  it("mints a token that a standard JOSE library verifies against the served JWKS, with the exact claims", async () => {
    const { token, expiresAt } = await mint("prod-read");
    const { payload, protectedHeader } = await verify(token);
    expect(payload.iss).toBe(ISSUER);
    expect(payload.aud).toBe("default/app-id/switchboard.aws.connector");
    expect(payload.sub).toBe("switchboard:connection/prod-read");
    expect(typeof payload.jti).toBe("string");
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBeLessThanOrEqual(900);
    expect(expiresAt.getTime()).toBe((payload.exp ?? 0) * 1000);
    expect(protectedHeader).toMatchObject({ alg: "RS256", typ: "JWT" });
    expect(typeof protectedHeader.kid).toBe("string");
    await expect(
      mintConnectionToken(oidc(), {
        org: "default",
        connectionName: "x",
        auditContext: { ...system, orgId },
        lifetimeSeconds: 3600,
      }),
    ).rejects.toThrow(/60 to 900 seconds/);
  });

  it("audits each use of the signing key in the connection's org", async () => {
    await mint("audited");
    const events = (await t.call("GET", "/api/v1/audit?action=secret.use")).json<{
      items: { detail: { purpose: string } }[];
    }>();
    // The test clock stands still, so events of the same millisecond are in no set order.
    expect(events.items.map((e) => e.detail.purpose)).toContain(
      "sign web identity token for connection audited",
    );
  });

  it("keeps the old key published after rotation until its tokens have expired", async () => {
    outlastRetiredKeys();
    const before = await mint("before-rotation");
    const rotated = await t.call("POST", "/api/v1/oidc/rotate");
    expect(rotated.statusCode).toBe(200);
    const after = await mint("after-rotation");
    expect(decodeProtectedHeader(before.token).kid).not.toBe(
      decodeProtectedHeader(after.token).kid,
    );
    await expect(verify(before.token)).resolves.toBeDefined();
    await expect(verify(after.token)).resolves.toBeDefined();
    const jwks = (await (await fetch(`${base}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    expect(jwks.keys.map((k) => k.kid)).toEqual([
      decodeProtectedHeader(after.token).kid,
      decodeProtectedHeader(before.token).kid,
    ]);

    outlastRetiredKeys();
    const later = (await (await fetch(`${base}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    expect(later.keys.map((k) => k.kid)).toEqual([decodeProtectedHeader(after.token).kid]);
    // A further rotation deletes the expired key and its private half from the key store.
    await rotateSigningKey(t.keystore, { ...system, orgId });
    const remaining = await suite.handle().db.selectFrom("oidc_keys").select("kid").execute();
    expect(remaining.map((r) => r.kid)).not.toContain(decodeProtectedHeader(before.token).kid);
    const secrets = await suite
      .handle()
      .db.selectFrom("secrets")
      .select("path")
      .where("path", "like", "keys/system/oidc/%")
      .execute();
    expect(secrets).toHaveLength(2);
  });

  it("lets only an admin rotate, and audits it", async () => {
    const adminRotations = async () =>
      (await t.call("GET", "/api/v1/audit?action=oidc.rotate&actor=user:admin")).json<{
        items: { objectType: string }[];
      }>().items;
    const before = (await adminRotations()).length;
    const rotated = await t.call("POST", "/api/v1/oidc/rotate");
    expect(rotated.statusCode, rotated.body).toBe(200);
    await t.call("POST", "/api/v1/users", { body: { name: "mo", password: "mo-password-1234" } });
    const login = await t.call("POST", "/api/v1/auth/login", {
      token: null,
      body: { username: "mo", password: "mo-password-1234" },
    });
    const cookie = String(login.headers["set-cookie"]).split(";")[0] ?? "";
    const refused = await t.call("POST", "/api/v1/oidc/rotate", {
      token: null,
      headers: { cookie, "x-csrf-token": login.json<{ csrfToken: string }>().csrfToken },
    });
    expect(refused.statusCode).toBe(403);
    // The admin's rotation is audited, once; the refused one is not among them.
    const audit = await adminRotations();
    expect(audit).toHaveLength(before + 1);
    expect(audit[0]?.objectType).toBe("oidc-key");
    const denied = (await t.call("GET", "/api/v1/audit?actor=user:mo&outcome=denied")).json<{
      items: { action: string }[];
    }>();
    expect(denied.items.map((e) => e.action)).toEqual(["POST /api/v1/oidc/rotate"]);
    const details = (
      await t.call("GET", "/api/v1/oidc", { token: null, headers: { cookie } })
    ).json<unknown>();
    expect(details).toMatchObject({
      issuer: ISSUER,
      audience: "default/app-id/switchboard.aws.connector",
      subjectFormat: "switchboard:connection/<connection name>",
    });
  });
});
