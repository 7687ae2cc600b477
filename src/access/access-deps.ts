import type { Clock } from "../clock.js";
import type { Db } from "../db/index.js";
import type { PasswordVerifier } from "./passwords.js";

/** What the access use cases need, passed in explicitly. */
export interface AccessDeps {
  db: Db;
  clock: Clock;
  /** Base URL for links shown to people (setup links). */
  publicUrl: string;
  sessionMaxAgeSeconds: number;
  /** Checks a sign-in's password against its hash (default: argon2's verify). */
  verifyPassword?: PasswordVerifier;
}
