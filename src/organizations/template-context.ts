import { externalIdValue, findConnectionById, principalArnOf } from "../connections/index.js";
import type { DbOrTx } from "../db/index.js";
import { audienceFor } from "../oidc/index.js";
import type { TemplateContext } from "./member-template.js";
import type { OrganizationRecord } from "./organization-record.js";

/** What the member role's template names: the hub's identity and the ExternalId, or the issuer. */
export async function templateContextOf(
  db: DbOrTx,
  organization: OrganizationRecord,
  orgName: string,
  oidcIssuer: string,
): Promise<TemplateContext> {
  const hubId = organization.onboarding?.hubConnectionId ?? null;
  const hub =
    hubId === null ? undefined : await findConnectionById(db, hubId).catch(() => undefined);
  const arn = hub?.health?.arn ?? null;
  return {
    organizationName: organization.name,
    orgName,
    oidcIssuer,
    hubPrincipalArn: arn === null ? null : principalArnOf(arn),
    externalId:
      organization.externalIdId === null
        ? null
        : await externalIdValue(db, organization.externalIdId),
    audience: audienceFor(orgName),
  };
}
