/** Timestamps are ISO-8601 strings in UTC on both dialects, so they sort as text. */
export interface OrgTable {
  id: string;
  name: string;
  created_at: string;
}

export type OrgRole = "admin" | "member";

export interface UserTable {
  id: string;
  org_id: string;
  name: string;
  display_name: string | null;
  role: OrgRole;
  password_hash: string | null;
  created_at: string;
  updated_at: string;
}

export interface TeamTable {
  id: string;
  org_id: string;
  name: string;
  created_at: string;
}

export interface TeamMemberTable {
  team_id: string;
  user_id: string;
  created_at: string;
}

export interface ApiTokenTable {
  id: string;
  org_id: string;
  user_id: string;
  name: string;
  /** SHA-256 of the whole token; the token itself is shown once and never stored. */
  token_hash: string;
  prefix: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface SessionTable {
  id: string;
  org_id: string;
  user_id: string;
  token_hash: string;
  csrf_hash: string;
  source_ip: string | null;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
}

export interface SetupLinkTable {
  id: string;
  org_id: string;
  user_id: string;
  token_hash: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

/** Sign-in attempts of one user or address in its current window (sign-in-limits.ts). */
export interface SignInLimitTable {
  /** "user:<org>/<user name>" as typed (whether or not they exist), or "address:<ip>". */
  key: string;
  window_start: string;
  attempts: number;
}

export interface AccessTables {
  orgs: OrgTable;
  users: UserTable;
  teams: TeamTable;
  team_members: TeamMemberTable;
  api_tokens: ApiTokenTable;
  sessions: SessionTable;
  setup_links: SetupLinkTable;
  sign_in_limits: SignInLimitTable;
}
