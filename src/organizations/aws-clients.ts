import { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { credentialsFor, type Actor, type ConnectionRecord } from "../connections/index.js";
import type { OrganizationDeps } from "./organization-deps.js";

/** The SDK clients of the management (or delegated administrator) connection. */
export interface OrganizationClients {
  organizations: OrganizationsClient;
  cloudFormation(region: string): CloudFormationClient;
}

/**
 * Through the connection's credentials, the outbound layer and its endpoint, as every AWS call of
 * Switchboard. Organizations is a global service answered in us-east-1.
 */
export function organizationClients(
  deps: OrganizationDeps,
  connection: ConnectionRecord,
  actor: Actor,
): OrganizationClients {
  const common = {
    credentials: credentialsFor(deps.credentials, connection, actor),
    requestHandler: deps.credentials.outbound.requestHandler(connection.orgId),
    ...(connection.endpoint === null ? {} : { endpoint: connection.endpoint }),
  };
  return {
    organizations: new OrganizationsClient({ ...common, region: "us-east-1" }),
    cloudFormation: (region) => new CloudFormationClient({ ...common, region }),
  };
}
