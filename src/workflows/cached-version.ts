import type { Db } from "../db/index.js";
import type { WorkflowVersionTable } from "./workflow.table.js";
import { findVersion } from "./workflows.js";

/** What a run's start reads of the version it runs. */
export type StartedVersion = Pick<
  WorkflowVersionTable,
  "workflow_id" | "version" | "definition" | "created_by" | "created_by_user_id"
>;

const MAX_VERSIONS = 500;
/** Definitions are bounded by the body limit, not small: the cache is bounded by their size too. */
const MAX_CHARS = 8_000_000;
const BIGGEST_CACHED_CHARS = 256_000;

interface VersionCache {
  rows: Map<string, StartedVersion>;
  chars: number;
}

/** One cache per database (tests open several in one process). */
const caches = new WeakMap<Db, VersionCache>();

/**
 * A workflow's version as a run starts it, kept per process by (workflow id, version), most
 * recently used last. A version row is never updated: a save inserts the next version, a restore
 * copies an old one into a new version, and a delete removes the workflow row with its versions
 * (its id, a random UUID, is never reused), so a kept row can never be stale. Only this immutable
 * row is kept: the workflow row (its current version, runAs), the starter's token and grants are
 * read for every run.
 */
export async function cachedVersion(
  db: Db,
  workflowId: string,
  version: number,
): Promise<StartedVersion> {
  let cache = caches.get(db);
  if (cache === undefined) {
    cache = { rows: new Map(), chars: 0 };
    caches.set(db, cache);
  }
  const key = `${workflowId}\u0000${version}`;
  const kept = cache.rows.get(key);
  if (kept !== undefined) {
    cache.rows.delete(key);
    cache.rows.set(key, kept);
    return kept;
  }
  const row = await findVersion(db, workflowId, version);
  const entry: StartedVersion = {
    workflow_id: row.workflow_id,
    version: row.version,
    definition: row.definition,
    created_by: row.created_by,
    created_by_user_id: row.created_by_user_id,
  };
  if (entry.definition.length > BIGGEST_CACHED_CHARS || cache.rows.has(key)) return entry;
  cache.rows.set(key, entry);
  cache.chars += entry.definition.length;
  for (const [oldest, old] of cache.rows) {
    if (cache.rows.size <= MAX_VERSIONS && cache.chars <= MAX_CHARS) break;
    cache.rows.delete(oldest);
    cache.chars -= old.definition.length;
  }
  return entry;
}
