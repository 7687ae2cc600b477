export interface OidcKeyTable {
  kid: string;
  /** The install-scope key store path of the private key. */
  secret_path: string;
  /** The public JWK, JSON. */
  public_jwk: string;
  created_at: string;
  /** Set when a newer key became current. */
  retired_at: string | null;
  /** A retired key stays in the JWKS until every token it signed has expired. */
  publish_until: string | null;
}

export interface OidcTables {
  oidc_keys: OidcKeyTable;
}
