import { describe, expect, it } from "vitest";
import { REDACTED, redact } from "./redact.js";

describe("redact", () => {
  it("masks secret values wherever they are, keeps metadata", () => {
    const output = redact({
      SecretList: [{ Name: "db", ARN: "arn:…" }],
      SecretString: "hunter2",
      Credentials: { AccessKeyId: "ASIA1", SecretAccessKey: "s3cr3t", SessionToken: "tok" },
      DBInstances: [{ MasterUsername: "admin", MasterUserPassword: "pw" }],
      Environment: { Variables: { DB_URL: "postgres://u:p@h/db", MODE: "prod" } },
      Nested: [{ deep: { PrivateKey: "-----BEGIN" } }],
      Body: new Uint8Array([1, 2, 3]),
      When: new Date("2026-01-01T00:00:00Z"),
    });
    expect(output).toEqual({
      SecretList: [{ Name: "db", ARN: "arn:…" }],
      SecretString: REDACTED,
      Credentials: { AccessKeyId: "ASIA1", SecretAccessKey: REDACTED, SessionToken: REDACTED },
      DBInstances: [{ MasterUsername: "admin", MasterUserPassword: REDACTED }],
      Environment: { Variables: { DB_URL: REDACTED, MODE: REDACTED } },
      Nested: [{ deep: { PrivateKey: REDACTED } }],
      Body: "[3 bytes]",
      When: "2026-01-01T00:00:00.000Z",
    });
    expect(JSON.stringify(output)).not.toMatch(/hunter2|s3cr3t|tok"|postgres:/);
  });
});
