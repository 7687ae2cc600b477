import type { AwsCredentialIdentityProvider } from "@smithy/types";
import type { Clock } from "../clock.js";
import type { Db } from "../db/index.js";
import type { KeystoreDeps } from "../keystore/index.js";
import type { OidcDeps } from "../oidc/index.js";
import type { Outbound } from "../outbound/index.js";
import type { CredentialCache } from "./credential-cache.js";

export interface CredentialDeps {
  db: Db;
  clock: Clock;
  keystore: KeystoreDeps;
  oidc: OidcDeps;
  outbound: Outbound;
  cache: CredentialCache;
  /**
   * The server's own identity for `ambient` (and as the default source of `assume_role`):
   * the SDK's default chain — environment, shared config, ECS task role, EC2 instance role.
   */
  ambientProvider: () => AwsCredentialIdentityProvider;
}

/** Who acts, for the session name CloudTrail shows and for the audit of secret uses. */
export interface Actor {
  orgId: string;
  orgName: string;
  userName: string;
  /** The run or request the credentials are first obtained for. */
  requestId: string;
  sourceIp: string | null;
}
