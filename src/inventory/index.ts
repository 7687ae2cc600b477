export type { InventoryTables } from "./inventory.table.js";
export { inventoryRoutes } from "./routes.js";
export { inventoryTargetHandler, INVENTORY_LIST } from "./sync-handler.js";
export { startSync, SYNC_ACTION_ID } from "./start-sync.js";
export { RESOURCE_TYPES, resourceTypeOf, syncIamActions } from "./resource-types.js";
export type { ResourceType } from "./resource-type.js";
export * from "./schemas.js";
export { fireSyncSchedule, SYNC_SCHEDULE_PREFIX } from "./sync-schedules.js";
