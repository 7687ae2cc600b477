export interface ProjectTable {
  id: string;
  org_id: string;
  name: string;
  created_at: string;
}

export interface ProjectMemberTable {
  project_id: string;
  /** `user-id:<user id>` or `team-id:<team id>` (see access/stored-principals.ts); the API shows names */
  principal: string;
  created_at: string;
}

export interface ProjectTables {
  projects: ProjectTable;
  project_members: ProjectMemberTable;
}
