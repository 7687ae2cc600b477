import { externalIdValue } from "../connections/index.js";
import type { DbOrTx } from "../db/index.js";
import { audienceFor } from "../oidc/index.js";
import type { TemplateContext } from "./member-template.js";
import type { OrganizationRecord } from "./organization-record.js";

/**
 * What the member role's template names: the hub's identity as it was when onboarded (never its
 * current one: see StoredOnboarding) and the ExternalId, or the issuer.
 */
export async function templateContextOf(
  db: DbOrTx,
  organization: OrganizationRecord,
  orgName: string,
  oidcIssuer: string,
): Promise<TemplateContext> {
  return {
    organizationName: organization.name,
    orgName,
    oidcIssuer,
    hubPrincipalArn: organization.onboarding?.hubPrincipalArn ?? null,
    externalId:
      organization.externalIdId === null
        ? null
        : await externalIdValue(db, organization.externalIdId),
    audience: audienceFor(orgName),
  };
}
