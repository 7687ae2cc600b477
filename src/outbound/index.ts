export { AllowList, isLocalName, type Destination, type Refusal } from "./allow-list.js";
export { createAllowListStore, type AllowListSource } from "./allow-list-store.js";
export {
  AMBIENT_ENDPOINTS,
  createOutbound,
  type OrgAgents,
  type Outbound,
  type OutboundDeps,
  type SdkTimeouts,
} from "./create-outbound.js";
export { destinationOf } from "./destination.js";
export type { OutboundRequestOptions, OutboundResponse } from "./outbound-request.js";
export type { OutboundTables } from "./outbound-allow-list.table.js";
export type { Resolver, ResolvedAddress } from "./resolver.js";
export { outboundRoutes } from "./routes.js";
export * from "./schemas.js";
