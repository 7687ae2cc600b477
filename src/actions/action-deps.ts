import type { Db } from "../db/index.js";

/** What preparing a run needs: the database, to choose its targets and audit a refusal. */
export interface ActionDeps {
  db: Db;
}
