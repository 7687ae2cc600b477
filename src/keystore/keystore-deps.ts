import type { Clock } from "../clock.js";
import type { Db } from "../db/index.js";
import type { MasterKeyring } from "./master-keyring.js";

export interface KeystoreDeps {
  db: Db;
  keyring: MasterKeyring;
  clock: Clock;
}

/** The scope of the server's own keys (the OIDC signing keys): not an org, so no org's API reaches it. */
export const INSTALL_SCOPE = "*install*";
