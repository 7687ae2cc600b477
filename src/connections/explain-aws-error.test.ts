import { describe, expect, it } from "vitest";
import type { ConnectionRecord } from "./connection-record.js";
import { explainAwsError } from "./explain-aws-error.js";

const webIdentity = {
  id: "c1",
  name: "web",
  settings: { method: "web_identity", roleArn: "arn:aws:iam::111111111111:role/switchboard" },
} as unknown as ConnectionRecord;
const denied = Object.assign(new Error("Not authorized to perform sts:AssumeRoleWithWebIdentity"), {
  name: "AccessDenied",
  Code: "AccessDenied",
});

describe("explaining a web identity's failure", () => {
  it("names a plain-http issuer first: AWS trusts only https", () => {
    const fix = explainAwsError(denied, "credentials", webIdentity, {
      issuer: "http://switchboard.internal:8080",
    }).fix;
    expect(fix).toMatch(/^Switchboard's OIDC issuer is http:\/\/switchboard\.internal:8080/);
    expect(fix).toContain("does not accept this token's aud and sub");
  });

  it("says nothing of the issuer when it is https", () => {
    const fix = explainAwsError(denied, "credentials", webIdentity, {
      issuer: "https://switchboard.example.com",
    }).fix;
    expect(fix).not.toContain("OIDC issuer is");
    expect(fix).toContain("does not accept this token's aud and sub");
  });
});
