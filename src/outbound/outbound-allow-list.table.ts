/** One row per org that has changed its list; an org without a row uses DEFAULT_ALLOW_LIST. */
export interface OutboundAllowListTable {
  org_id: string;
  /** JSON array of pattern strings, in the order the admin gave them. */
  patterns: string;
  updated_at: string;
  /** the actor (`user:<name>`, `token:<id>`) of the last change */
  updated_by: string;
}

export interface OutboundTables {
  outbound_allow_lists: OutboundAllowListTable;
}
