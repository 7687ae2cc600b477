import type { JWK } from "jose";
import { SIGNING_ALGORITHM } from "./signing-keys.js";

export const DISCOVERY_PATH = "/.well-known/openid-configuration";
export const JWKS_PATH = "/.well-known/jwks.json";

/** The discovery document AWS reads when a role trusts this issuer. */
export function discoveryDocument(issuer: string) {
  return {
    issuer,
    jwks_uri: `${issuer}${JWKS_PATH}`,
    response_types_supported: ["id_token"],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: [SIGNING_ALGORITHM],
    claims_supported: ["iss", "sub", "aud", "exp", "iat", "nbf", "jti"],
  };
}

export function jwksDocument(keys: JWK[]) {
  return { keys };
}
