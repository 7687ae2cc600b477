import {
  AssumeRoleWithWebIdentityCommand,
  GetCallerIdentityCommand,
  STSClient,
} from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../emulator/index.js";
import { MEMBER, OIDC_AUDIENCE, OIDC_SUBJECT, testWorld } from "./test-world.js";
import { startTestIssuer, type TestIssuer } from "./test-issuer.js";

let issuer: TestIssuer;
let emulator: Emulator;
let roleArn: string;

beforeAll(async () => {
  issuer = await startTestIssuer();
  emulator = await startEmulator({ world: testWorld({ oidcIssuer: issuer.url }) });
  roleArn = `arn:aws:iam::${MEMBER}:role/switchboard-web`;
});
afterAll(async () => {
  await emulator.close();
  await issuer.close();
});

// AssumeRoleWithWebIdentity is unsigned: the client needs no credentials at all.
function sts() {
  return new STSClient({ endpoint: emulator.url, region: "us-east-1", maxAttempts: 1 });
}

function assume(token: string) {
  return sts().send(
    new AssumeRoleWithWebIdentityCommand({
      RoleArn: roleArn,
      RoleSessionName: "run-7",
      WebIdentityToken: token,
    }),
  );
}

describe("AssumeRoleWithWebIdentity", () => {
  it("issues a session for a token whose signature, issuer, audience and subject the trust policy accepts", async () => {
    const result = await assume(await issuer.sign({ aud: OIDC_AUDIENCE, sub: OIDC_SUBJECT }));
    expect(result.SubjectFromWebIdentityToken).toBe(OIDC_SUBJECT);
    expect(result.Audience).toBe(OIDC_AUDIENCE);
    expect(result.Provider).toBe(issuer.url);
    const identity = await new STSClient({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials: {
        accessKeyId: result.Credentials?.AccessKeyId ?? "",
        secretAccessKey: result.Credentials?.SecretAccessKey ?? "",
        sessionToken: result.Credentials?.SessionToken ?? "",
      },
    }).send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe(`arn:aws:sts::${MEMBER}:assumed-role/switchboard-web/run-7`);
    // Discovery and JWKS were fetched over HTTP from the issuer.
    expect(issuer.requests).toEqual(
      expect.arrayContaining(["/.well-known/openid-configuration", "/.well-known/jwks.json"]),
    );
  });

  it("refuses a token whose sub the trust policy does not name", async () => {
    await expect(
      assume(await issuer.sign({ aud: OIDC_AUDIENCE, sub: "switchboard:connection/someone-else" })),
    ).rejects.toMatchObject({
      name: "AccessDenied",
      message: "Not authorized to perform sts:AssumeRoleWithWebIdentity",
      $metadata: { httpStatusCode: 403 },
    });
  });

  it("refuses a token signed by a key that is not in the issuer's JWKS", async () => {
    await expect(
      assume(
        await issuer.sign({ aud: OIDC_AUDIENCE, sub: OIDC_SUBJECT }, { unpublishedKey: true }),
      ),
    ).rejects.toMatchObject({
      name: "InvalidIdentityTokenException",
    });
  });

  it("refuses a token whose audience is not one of the provider's client ids", async () => {
    await expect(
      assume(await issuer.sign({ aud: "someone/else", sub: OIDC_SUBJECT })),
    ).rejects.toMatchObject({
      name: "InvalidIdentityTokenException",
      message: "Incorrect token audience",
    });
  });

  it("refuses an expired token with ExpiredTokenException", async () => {
    await expect(
      assume(
        await issuer.sign({ aud: OIDC_AUDIENCE, sub: OIDC_SUBJECT }, { expiresInSeconds: -60 }),
      ),
    ).rejects.toMatchObject({
      name: "ExpiredTokenException",
    });
  });

  it("refuses a token that is not yet valid", async () => {
    const token = await issuer.sign(
      { aud: OIDC_AUDIENCE, sub: OIDC_SUBJECT },
      { notBefore: Math.floor(Date.now() / 1000) + 600 },
    );
    await expect(assume(token)).rejects.toMatchObject({ name: "InvalidIdentityTokenException" });
  });

  it("refuses a token from an issuer the account has no OIDC provider for", async () => {
    const other = await startTestIssuer();
    try {
      await expect(
        assume(await other.sign({ aud: OIDC_AUDIENCE, sub: OIDC_SUBJECT })),
      ).rejects.toMatchObject({
        name: "InvalidIdentityTokenException",
        message: `No OpenIDConnect provider found in your account for ${other.url}`,
      });
    } finally {
      await other.close();
    }
  });
});
