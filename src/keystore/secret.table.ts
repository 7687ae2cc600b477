export type SecretType = "password" | "key-pair";

export interface SecretTable {
  id: string;
  /** The owning org, or INSTALL_SCOPE for the server's own keys, which no org's API reaches. */
  org_id: string;
  path: string;
  project_id: string | null;
  type: SecretType;
  /** The value, AES-256-GCM under the data key, bound to (org, id, path). */
  ciphertext: string;
  /** The data key, AES-256-GCM under the master key. */
  wrapped_key: string;
  master_key_id: string;
  /**
   * The hosts an http step may send the value to (JSON array of outbound allow-list patterns),
   * set by whoever writes the value; NULL: no http step may send it.
   */
  allowed_hosts: string | null;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
  last_used_at: string | null;
}

export interface SecretTables {
  secrets: SecretTable;
}
