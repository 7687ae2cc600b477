import type { Principal } from "../access/index.js";
import { Invalid } from "../errors.js";
import { consoleStackSetUrl, memberRoleTemplate, templateNotes } from "./member-template.js";
import type { OrganizationDeps } from "./organization-deps.js";
import { findOrganization } from "./organization-record.js";
import type { MemberTemplate } from "./schemas.js";
import { templateContextOf } from "./template-context.js";

/** The member role's template of an onboarded organization, with what the user must know. */
export async function getMemberTemplate(
  deps: OrganizationDeps,
  principal: Principal,
  name: string,
  region: string | undefined,
): Promise<MemberTemplate> {
  const organization = await findOrganization(deps.db, principal, name);
  const onboarding = organization.onboarding;
  if (onboarding === null)
    throw new Invalid(`organization ${name} is not onboarded: choose its OUs and role first`);
  const context = await templateContextOf(
    deps.db,
    organization,
    principal.orgName,
    deps.credentials.oidc.issuer,
  );
  const view = { ...onboarding, hubConnection: null };
  const template = memberRoleTemplate(view, context);
  return {
    template,
    body: JSON.stringify(template, null, 2),
    consoleUrl: consoleStackSetUrl(region ?? onboarding.regions[0] ?? "us-east-1"),
    notes: templateNotes(view, context),
    managementAccount: {
      accountId: organization.managementAccountId,
      template,
      note: `Service-managed StackSets never deploy to the management account ${organization.managementAccountId}: to onboard it too, create this template there as a single stack (aws cloudformation create-stack --capabilities CAPABILITY_NAMED_IAM), then reconcile.`,
    },
  };
}
