import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from "jose";

export type TestIssuer = {
  url: string;
  /** Signs a token with the published key, or with a key the JWKS does not contain. */
  sign(
    claims: JWTPayload,
    options?: { expiresInSeconds?: number; unpublishedKey?: boolean; notBefore?: number },
  ): Promise<string>;
  requests: string[];
  close(): Promise<void>;
};

/** A minimal OpenID Connect issuer over HTTP: discovery document, JWKS, RS256 tokens. */
export async function startTestIssuer(): Promise<TestIssuer> {
  const published = await generateKeyPair("RS256");
  const unpublished = await generateKeyPair("RS256");
  const jwk = {
    ...(await exportJWK(published.publicKey)),
    kid: "published-1",
    alg: "RS256",
    use: "sig",
  };
  const requests: string[] = [];
  let url = "";
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? "");
    if (req.url === "/.well-known/openid-configuration") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          issuer: url,
          jwks_uri: `${url}/.well-known/jwks.json`,
          id_token_signing_alg_values_supported: ["RS256"],
        }),
      );
    } else if (req.url === "/.well-known/jwks.json") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ keys: [jwk] }));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    async sign(claims, options = {}) {
      const key: CryptoKey =
        options.unpublishedKey === true ? unpublished.privateKey : published.privateKey;
      const nowSeconds = Math.floor(Date.now() / 1000);
      let jwt = new SignJWT(claims)
        .setProtectedHeader({
          alg: "RS256",
          kid: options.unpublishedKey === true ? "unpublished-1" : "published-1",
        })
        .setIssuer(url)
        .setIssuedAt(nowSeconds - 5)
        .setExpirationTime(nowSeconds + (options.expiresInSeconds ?? 300));
      if (options.notBefore !== undefined) jwt = jwt.setNotBefore(options.notBefore);
      return jwt.sign(key);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
