export interface ProjectTable {
  id: string;
  org_id: string;
  name: string;
  created_at: string;
}

export interface ProjectMemberTable {
  project_id: string;
  /** `user:<name>` or `team:<name>` */
  principal: string;
  created_at: string;
}

export interface ProjectTables {
  projects: ProjectTable;
  project_members: ProjectMemberTable;
}
