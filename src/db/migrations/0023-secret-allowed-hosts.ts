import type { Kysely, Migration } from "kysely";

/**
 * A secret an http step sends may go only to the hosts its writer bound to it
 * (`allowed_hosts`, a JSON array of outbound allow-list patterns). Without the binding any
 * project member could send another member's secret to a host that echoes it back (the org's
 * allow-list admits anyone's API Gateway and S3 hosts under *.amazonaws.com). Existing secrets get
 * none (NULL): an http step refuses to send them until someone writes the value again with its
 * hosts. Their other uses (a connection's access key, a webhook's signature) are unchanged.
 */
export const secretAllowedHosts: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable("secrets").addColumn("allowed_hosts", "text").execute();
  },
};
