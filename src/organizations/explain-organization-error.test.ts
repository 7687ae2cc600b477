import { describe, expect, it } from "vitest";
import { explainOrganizationError } from "./explain-organization-error.js";

function awsError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

const context = {
  callAs: "SELF" as const,
  connectionName: "mgmt",
  accountId: "222222222222",
  managementAccountId: "111111111111",
};

describe("explaining Organizations and StackSets errors", () => {
  it("names the call that turns trusted access on", () => {
    const explained = explainOrganizationError(
      awsError(
        "ValidationError",
        "You must enable organizations access to operate a service managed stack set",
      ),
      context,
    );
    expect(explained.code).toBe("TRUSTED_ACCESS_NOT_ENABLED");
    expect(explained.fix).toMatch(/ActivateOrganizationsAccess/);
  });

  it("says the connection is neither the management account nor a delegated administrator", () => {
    const explained = explainOrganizationError(
      awsError(
        "ValidationError",
        "You must be the management account or delegated admin account of an organization before operating a SERVICE_MANAGED stack set",
      ),
      { ...context, callAs: "DELEGATED_ADMIN" },
    );
    expect(explained.code).toBe("NOT_ORGANIZATION_ADMIN");
    expect(explained.fix).toMatch(
      /register-delegated-administrator --account-id 222222222222 --service-principal member\.org\.stacksets\.cloudformation\.amazonaws\.com/,
    );
  });

  it("gives the right service principal when AWS does not know the one used", () => {
    const explained = explainOrganizationError(
      awsError("InvalidInputException", "You specified an unrecognized service principal."),
      context,
    );
    expect(explained.code).toBe("WRONG_SERVICE_PRINCIPAL");
    expect(explained.fix).toMatch(/member\.org\.stacksets\.cloudformation\.amazonaws\.com/);
  });
});
