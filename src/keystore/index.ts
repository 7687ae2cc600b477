export type { KeystoreDeps } from "./keystore-deps.js";
export { INSTALL_SCOPE } from "./keystore-deps.js";
export {
  loadMasterKeyring,
  MasterKeyError,
  type KeyringSources,
  type MasterKeyring,
} from "./master-keyring.js";
export {
  checkKeyring,
  rewrapDataKeys,
  rotateMasterKey,
  type RotationResult,
} from "./master-key-rotation.js";
export { openKeystore } from "./open-keystore.js";
export { keystoreRoutes } from "./routes.js";
export * from "./schemas.js";
export type { SecretType } from "./secret.table.js";
export {
  checkWithSecret,
  deleteScopedSecret,
  putScopedSecret,
  putSecret,
  rebindProjectSecrets,
  secretSendRefusal,
  useSecret,
  type SecretUse,
} from "./secrets.js";
export { openRecord, sealRecord, type SealScope } from "./sealed-record.js";
