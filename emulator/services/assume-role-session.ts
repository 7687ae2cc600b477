import { AwsError } from "../aws-error.js";
import type { Principal } from "../iam/principal.js";
import type { Session, SessionStore } from "../iam/session-store.js";
import type { PolicyDocument } from "../world/world-schema.js";
import type { Role } from "../world/world.js";

const SESSION_NAME = /^[\w+=,.@-]*$/;

function validation(value: string, field: string, constraint: string): AwsError {
  return new AwsError(
    "ValidationError",
    `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: ${constraint}`,
    400,
  );
}

export function checkSessionName(name: string): void {
  if (name.length < 2)
    throw validation(name, "roleSessionName", "Member must have length greater than or equal to 2");
  if (name.length > 64)
    throw validation(name, "roleSessionName", "Member must have length less than or equal to 64");
  if (!SESSION_NAME.test(name))
    throw validation(
      name,
      "roleSessionName",
      "Member must satisfy regular expression pattern: [\\w+=,.@-]*",
    );
}

/** The session length AWS grants: 900 s up to the role's maximum, and one hour when chained. */
export function sessionSeconds(role: Role, requested: unknown, chained: boolean): number {
  const seconds = typeof requested === "number" ? requested : 3600;
  if (seconds < 900)
    throw validation(
      String(seconds),
      "durationSeconds",
      "Member must have value greater than or equal to 900",
    );
  if (seconds > 43200)
    throw validation(
      String(seconds),
      "durationSeconds",
      "Member must have value less than or equal to 43200",
    );
  if (chained && seconds > 3600)
    throw new AwsError(
      "ValidationError",
      "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
      400,
    );
  if (seconds > role.maxSessionDurationSeconds)
    throw new AwsError(
      "ValidationError",
      "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
      400,
    );
  return seconds;
}

export function issueRoleSession(
  sessions: SessionStore,
  role: Role,
  sessionName: string,
  policy: PolicyDocument | undefined,
  chained: boolean,
  expiration: Date,
): Session {
  const principal: Principal = {
    kind: "assumed-role",
    arn: `arn:aws:sts::${role.accountId}:assumed-role/${role.name}/${sessionName}`,
    accountId: role.accountId,
    userId: `${role.uniqueId}:${sessionName}`,
    role,
    sessionName,
    sessionPolicy: policy,
    chained,
  };
  return sessions.issue(principal, expiration);
}

export function credentialsOutput(session: Session): Record<string, unknown> {
  return {
    Credentials: {
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      SessionToken: session.sessionToken,
      Expiration: session.expiration,
    },
    AssumedRoleUser: { AssumedRoleId: session.principal.userId, Arn: session.principal.arn },
  };
}
