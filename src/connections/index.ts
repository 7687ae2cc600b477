export type { ConnectionTables } from "./connection.table.js";
export type { ConnectionDeps } from "./connection-deps.js";
export type { ConnectionRecord } from "./connection-record.js";
export { CredentialCache } from "./credential-cache.js";
export { credentialsRejected } from "./credentials-rejected.js";
export type { Actor, CredentialDeps } from "./credential-deps.js";
export {
  createConnection,
  findConnection,
  findConnectionById,
  listExecutableConnections,
  listVisibleConnections,
  visibleConnection,
  type CreateConnectionOptions,
} from "./connections.js";
export { externalIdValue, issueGroupExternalId } from "./external-id.js";
export { reserveWebIdentitySubjects } from "./web-identity-subjects.js";
export { principalArnOf } from "./setup-documents.js";
export { testConnection } from "./test-connection.js";
export { explainAwsError } from "./explain-aws-error.js";
export { assertPrincipalsExist, requireRole, rolesOn, rolesOnEach } from "./grants.js";
export { notAwsResponse } from "./not-aws-response.js";
export { credentialsFor } from "./resolve-credentials.js";
export { actorOfRequest, connectionRoutes } from "./routes.js";
export * from "./schemas.js";
