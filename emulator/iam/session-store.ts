import { randomBytes } from "node:crypto";
import type { Principal } from "./principal.js";

export type Session = {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  principal: Principal;
};

const KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function accessKeyId(): string {
  const bytes = randomBytes(16);
  let id = "ASIA";
  for (const b of bytes) id += KEY_ALPHABET[b % 32];
  return id;
}

/** Temporary credentials issued by STS, IMDS and the container endpoint of one emulator. */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  issue(principal: Principal, expiration: Date): Session {
    const session: Session = {
      accessKeyId: accessKeyId(),
      secretAccessKey: randomBytes(30).toString("base64"),
      // Long opaque tokens, as AWS's are; clients must send them back byte for byte.
      sessionToken: `IQoJb3JpZ2luX2Vj${randomBytes(96).toString("base64")}`,
      expiration,
      principal,
    };
    this.sessions.set(session.accessKeyId, session);
    return session;
  }

  get(accessKeyId: string): Session | undefined {
    return this.sessions.get(accessKeyId);
  }

  clear(): void {
    this.sessions.clear();
  }

  /**
   * Forgets every issued session, or only those of one role (by ARN), as an emulator restart
   * does: their keys become unknown, so each service answers as AWS does for a key it has never
   * issued (InvalidClientTokenId, AuthFailure, UnrecognizedClientException, InvalidAccessKeyId).
   * Returns how many were revoked.
   */
  revoke(roleArn?: string): number {
    let revoked = 0;
    for (const [key, session] of this.sessions) {
      const { principal } = session;
      if (
        roleArn === undefined ||
        (principal.kind === "assumed-role" && principal.role.arn === roleArn)
      ) {
        this.sessions.delete(key);
        revoked++;
      }
    }
    return revoked;
  }
}
