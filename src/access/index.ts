export type { AccessDeps } from "./access-deps.js";
export { authorize, type Access } from "./authorize.js";
export { bootstrap, DEFAULT_ORG, FIRST_ADMIN } from "./bootstrap.js";
export { actorOf, type Principal } from "./principal.js";
export { accessRoutes, SESSION_COOKIE } from "./routes.js";
export * from "./schemas.js";
export { authenticateSession } from "./sessions.js";
export { authenticateApiToken } from "./tokens.js";
export type { OrgRole } from "./tables.js";
