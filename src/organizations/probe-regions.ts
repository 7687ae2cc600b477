import { DescribeAvailabilityZonesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { credentialsFor, type Actor, type ConnectionRecord } from "../connections/index.js";
import type { OrganizationDeps } from "./organization-deps.js";
import type { BlockedRegion } from "./schemas.js";

/**
 * The IAM action the reconcile's region probe needs. ec2:DescribeAvailabilityZones is answered in
 * every region, reads nothing of the account's resources, costs nothing, is in both
 * ViewOnlyAccess and ReadOnlyAccess (so every member role's access level allows it), and an SCP
 * that denies a region (aws:RequestedRegion) denies it there like any other call.
 */
export const REGION_PROBE_ACTION = "ec2:DescribeAvailabilityZones";

// AWS words every SCP denial so: "… with an explicit deny in a service control policy" or
// "… because no service control policy allows the … action".
const SCP_DENIAL = /service control policy/i;

/**
 * The regions among `regions` where a service control policy denies the member connection's
 * principal: one cheap read per region, one after the other (the reconcile already tests many
 * accounts at once), with the connection's cached credentials (its test just assumed the role:
 * no AssumeRole per region). Any other failure says nothing about SCPs and blocks nothing.
 */
export async function scpBlockedRegions(
  deps: OrganizationDeps,
  connection: ConnectionRecord,
  actor: Actor,
  regions: string[],
): Promise<BlockedRegion[]> {
  const credentials = credentialsFor(deps.credentials, connection, actor);
  const requestHandler = deps.credentials.outbound.requestHandler(connection.orgId);
  const blocked: BlockedRegion[] = [];
  for (const region of regions) {
    const client = new EC2Client({
      region,
      credentials,
      requestHandler,
      ...(connection.endpoint === null ? {} : { endpoint: connection.endpoint }),
    });
    try {
      await client.send(new DescribeAvailabilityZonesCommand({}));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (SCP_DENIAL.test(message))
        blocked.push({
          region,
          reason: "scp",
          message,
          seenAt: deps.clock.now().toISOString(),
        });
    }
  }
  return blocked;
}
