export type {
  RunStepTable,
  RunTable,
  RunTables,
  RunTargetAttemptTable,
  RunTargetTable,
  ServerInstanceTable,
} from "./run.table.js";
export * from "./statuses.js";
export * from "./schemas.js";
export {
  findVisibleRun,
  getRunDetail,
  listRunTargets,
  listRuns,
  toTargetResult,
  type RunFilters,
} from "./read-runs.js";
export {
  MAX_OUTPUT_BYTES,
  readStoredOutput,
  storeOutput,
  type StoredOutput,
} from "./store-output.js";
export { pruneRuns } from "./prune-runs.js";
export {
  cellText,
  itemCount,
  itemTable,
  mainList,
  SOURCE_COLUMNS,
  toCsv,
  type ItemTable,
  type SourcedOutput,
} from "./flatten-results.js";
