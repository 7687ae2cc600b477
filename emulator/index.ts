export { startEmulator, type Emulator, type EmulatorOptions } from "./start-emulator.js";
export { loadWorld, buildWorld } from "./world/load-world.js";
export { WorldError } from "./world/world-error.js";
export { DEFAULT_REGIONS } from "./world/default-regions.js";
export type { WorldInput, WorldDocument, PolicyDocument } from "./world/world-schema.js";
export type { World, Account, Role, User, OidcProvider, ResourceItem } from "./world/world.js";
export type { Knobs, KnobsInput, NotAwsKnob, ThrottleKnob } from "./knobs/knobs.js";
export type { CallCounters } from "./knobs/counters.js";
export {
  organizationControl,
  type OrganizationView,
  type OrganizationAccountView,
  type ParentRef,
} from "./organization-control.js";
export {
  organizationWorld,
  memberAccountId,
  ORGANIZATION_ADMIN_KEY,
  type OrganizationWorldOptions,
} from "./worlds/organization-world.js";
export type { Organization, OrgAccount, OrgUnit } from "./world/organization.js";
export type { AccountState } from "./world/organization-schema.js";
