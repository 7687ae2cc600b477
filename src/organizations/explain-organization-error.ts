import type { ExplainedError } from "./schemas.js";

/** The service principal CloudFormation StackSets uses in an organization (trusted access, delegation). */
export const STACKSETS_SERVICE_PRINCIPAL = "member.org.stacksets.cloudformation.amazonaws.com";

function codeOf(error: unknown): string {
  const e = error as { name?: string; Code?: string; code?: string };
  return e.Code ?? (e.name !== undefined && e.name !== "Error" ? e.name : undefined) ?? "Error";
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export interface ExplainContext {
  callAs: "SELF" | "DELEGATED_ADMIN";
  connectionName: string;
  /** The account the connection reaches, when known. */
  accountId: string | null;
  managementAccountId: string | null;
}

/**
 * An Organizations or CloudFormation StackSets error in words, with what fixes it. AWS's own
 * messages are matched (they are the stable part of these ValidationErrors): trusted access off,
 * a caller that is neither the management account nor a registered delegated administrator, a
 * service principal StackSets does not know.
 */
export function explainOrganizationError(error: unknown, context: ExplainContext): ExplainedError {
  const code = codeOf(error);
  const message = messageOf(error);
  if (/enable organizations access|trusted access/i.test(message)) {
    return {
      code: "TRUSTED_ACCESS_NOT_ENABLED",
      message: `CloudFormation StackSets has no trusted access to the organization: ${message}`,
      fix:
        context.callAs === "SELF"
          ? `call CloudFormation ActivateOrganizationsAccess from the management account (aws cloudformation activate-organizations-access), or deploy with Switchboard from a full connection (it calls it first)`
          : `in the management account, call CloudFormation ActivateOrganizationsAccess (aws cloudformation activate-organizations-access): a delegated administrator cannot turn it on`,
    };
  }
  if (code === "AWSOrganizationsNotInUseException") {
    return {
      code: "NOT_IN_ORGANIZATION",
      message: `connection ${context.connectionName} (${context.accountId ?? "its account"}) reaches an account that is not in an AWS Organization: ${message}`,
      fix: "use a connection into the organization's management account, or into a registered delegated administrator",
    };
  }
  if (
    /(management|master) (account )?or (a )?delegated admin|not a delegated administrator|delegated administrator|You don't have permissions to access this resource/i.test(
      message,
    )
  ) {
    const account = context.accountId ?? "its account";
    return {
      code: "NOT_ORGANIZATION_ADMIN",
      message: `connection ${context.connectionName} (${account}) is not the organization's management account${context.managementAccountId === null ? "" : ` (${context.managementAccountId})`} nor a registered delegated administrator of CloudFormation StackSets: ${message}`,
      fix: `use a connection into the management account, or register ${account} from the management account: aws organizations register-delegated-administrator --account-id ${account} --service-principal ${STACKSETS_SERVICE_PRINCIPAL}`,
    };
  }
  if (/service principal/i.test(message)) {
    return {
      code: "WRONG_SERVICE_PRINCIPAL",
      message: `AWS does not know the service principal used: ${message}`,
      fix: `CloudFormation StackSets' service principal in an organization is ${STACKSETS_SERVICE_PRINCIPAL} (not stacksets.cloudformation.amazonaws.com): enable trusted access and register delegated administrators with it`,
    };
  }
  if (/AccessDenied|not authorized|UnauthorizedOperation/i.test(`${code} ${message}`)) {
    return {
      code: "ACCESS_DENIED",
      message: `connection ${context.connectionName} may not make this call: ${message}`,
      fix: "give the connection's identity the permissions listed in the README (Onboard an AWS Organization), and make it a full connection to deploy",
    };
  }
  return {
    code,
    message,
    fix: "see AWS's message; then try again",
  };
}
