export type { AccessDeps } from "./access-deps.js";
export { authorize, type Access } from "./authorize.js";
export { bootstrap, DEFAULT_ORG, FIRST_ADMIN } from "./bootstrap.js";
// Re-exported so other features keep one import for the access surface; defined beside errors.ts.
export { actorOf, type Principal } from "../request-types.js";
export { accessRoutes, SESSION_COOKIE } from "./routes.js";
export * from "./schemas.js";
export { authenticateSession } from "./sessions.js";
export {
  namedPrincipals,
  storedPrincipalsOf,
  storedTeam,
  storedUser,
  toStoredPrincipals,
  idsByName,
  namesById,
} from "./stored-principals.js";
export { authenticateApiToken } from "./tokens.js";
export type { OrgRole } from "./tables.js";
