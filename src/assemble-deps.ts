import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import type { FastifyBaseLogger } from "fastify";
import type { Clock } from "./clock.js";
import { CredentialCache } from "./connections/index.js";
import type { Db } from "./db/index.js";
import type { AppDeps } from "./http/index.js";
import type { KeystoreDeps } from "./keystore/index.js";
import { createAllowListStore, createOutbound, type SdkTimeouts } from "./outbound/index.js";

export interface AssembleOptions {
  db: Db;
  clock: Clock;
  keystore: KeystoreDeps;
  logger: FastifyBaseLogger;
  publicUrl: string;
  oidcIssuer: string;
  sessionMaxAgeSeconds: number;
  dev: boolean;
  version: string;
  /** The server's own AWS identity; the SDK's default chain unless a test says otherwise. */
  ambientProvider?: () => AwsCredentialIdentityProvider;
  /** AWS request timeouts; the outbound layer's defaults unless a test says otherwise. */
  sdkTimeouts?: SdkTimeouts;
}

/** Builds the services every request shares, once per process (main) or per test app. */
function sharedAmbientProvider(): () => AwsCredentialIdentityProvider {
  let chain: AwsCredentialIdentityProvider | undefined;
  return () => (chain ??= fromNodeProviderChain());
}

export function assembleDeps(o: AssembleOptions): Omit<AppDeps, "engine"> {
  const oidc = { keystore: o.keystore, issuer: o.oidcIssuer };
  const outbound = createOutbound({
    allowLists: createAllowListStore({ db: o.db, clock: o.clock }),
    ...(o.sdkTimeouts === undefined ? {} : { sdkTimeouts: o.sdkTimeouts }),
  });
  return {
    db: o.db,
    clock: o.clock,
    keystore: o.keystore,
    oidc,
    outbound,
    credentials: {
      db: o.db,
      clock: o.clock,
      keystore: o.keystore,
      oidc,
      outbound,
      cache: new CredentialCache(o.clock),
      // The SDK's default chain reads the environment, shared config, the ECS endpoint and IMDSv2;
      // its metadata lookups are the one kind of request that does not go through the outbound layer.
      // One chain for the process: the host has one identity, and the chain keeps its credentials
      // until five minutes before they expire, so IMDS is asked once, not once per connection.
      ambientProvider: o.ambientProvider ?? sharedAmbientProvider(),
    },
    publicUrl: o.publicUrl,
    sessionMaxAgeSeconds: o.sessionMaxAgeSeconds,
    logger: o.logger,
    dev: o.dev,
    version: o.version,
  };
}
