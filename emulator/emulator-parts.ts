import type { Authorizer } from "./iam/authorizer.js";
import type { SessionStore } from "./iam/session-store.js";
import type { CallCounters } from "./knobs/counters.js";
import type { Knobs } from "./knobs/knobs.js";
import type { TokenBuckets } from "./knobs/token-buckets.js";
import type { ServiceModel } from "./model/service-model.js";
import type { SignatureVerifiers } from "./sigv4/compute-signature.js";
import type { OidcKeyCache } from "./services/web-identity.js";
import type { World } from "./world/world.js";

/** Everything one emulator instance owns, passed explicitly to the code that serves requests. */
export type EmulatorParts = {
  world: World;
  now: () => Date;
  random: () => number;
  /** Mutated in place by setKnobs, so a running request sees the knobs of its own start. */
  knobs: Knobs;
  /** Mutated in place; reset zeroes it. */
  counters: CallCounters;
  /** Calls in flight now, per "account|region|service" (see CallCounters.peakInFlight). */
  inFlight: Map<string, number>;
  sessions: SessionStore;
  authorizer: Authorizer;
  buckets: TokenBuckets;
  oidcKeys: OidcKeyCache;
  verifiers: SignatureVerifiers;
  modelFor: (service: string) => ServiceModel | undefined;
  /** Per-emulator state services keep between calls. */
  state: Map<string, unknown>;
};
