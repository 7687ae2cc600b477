import { loadSdkClient } from "./aws-call.js";

type EndpointProvider = (params: Record<string, unknown>) => { url: URL };

const answers = new Map<string, Promise<boolean>>();

// Two regions of the aws partition; a global service resolves both to one endpoint.
const PROBE_REGIONS = ["us-west-2", "eu-central-1"];

async function resolvesToOneEndpoint(service: string): Promise<boolean> {
  const { client: Client } = await loadSdkClient(service);
  // A client resolves its configuration when built; it sends nothing and asks for no credentials.
  const client = new Client({ region: "us-east-1" } as never) as unknown as {
    config: { endpointProvider: EndpointProvider };
    destroy(): void;
  };
  try {
    const urls = PROBE_REGIONS.map(
      (Region) =>
        client.config.endpointProvider({ Region, UseFIPS: false, UseDualStack: false }).url.href,
    );
    return new Set(urls).size === 1;
  } catch {
    // Endpoint rules that need more than a region: treat the service as regional.
    return false;
  } finally {
    client.destroy();
  }
}

/**
 * Whether one call per account covers a service, rather than one per region. Read from AWS's own
 * endpoint rules in the SDK client: a global service (IAM, Account, Organizations, Route 53,
 * CloudFront …) sends every region to one endpoint. S3 is the one regional service that is called
 * once per account too: bucket names are account-wide, ListBuckets lists every region's buckets,
 * and its clients follow a bucket to its own region (see targetContext).
 */
export function isGlobalService(service: string): Promise<boolean> {
  if (service === "s3") return Promise.resolve(true);
  let answer = answers.get(service);
  if (answer === undefined) {
    answer = resolvesToOneEndpoint(service);
    answers.set(service, answer);
    answer.catch(() => answers.delete(service));
  }
  return answer;
}
