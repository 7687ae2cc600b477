export { discoveryDocument, DISCOVERY_PATH, jwksDocument, JWKS_PATH } from "./documents.js";
export { audienceFor, mintConnectionToken, subjectFor, type OidcDeps } from "./mint-token.js";
export { oidcApiRoutes, oidcDocumentRoutes } from "./routes.js";
export {
  ensureSigningKey,
  MAX_TOKEN_LIFETIME_SECONDS,
  publishedKeys,
  rotateSigningKey,
} from "./signing-keys.js";
