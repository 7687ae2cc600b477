import { AwsError } from "../aws-error.js";
import { authErrors, family } from "../protocols/service-errors.js";
import type { ServiceModel } from "../model/service-model.js";
import type { SigV4Authorization } from "./parse-authorization.js";

/** What an AWS host name says about the endpoint a request was sent to. */
export type EndpointScope = {
  /** The region the endpoint signs for: its own, or us-east-1 for a global endpoint. */
  region: string;
  /** The endpoint prefix in the host name (`sts`, `dynamodb`, `api.pricing`); undefined for S3. */
  endpointPrefix: string | undefined;
};

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;
const AWS_DOMAIN = /^(.+)\.(?:amazonaws\.com|api\.aws)$/;

/**
 * Reads the region (and service) of an AWS endpoint from a request's Host: `sts.eu-west-1.amazonaws.com`,
 * `dynamodb.us-west-2.api.aws`, `s3.us-west-2.amazonaws.com`, `bucket.s3.eu-west-1.amazonaws.com`,
 * `s3-us-west-2.amazonaws.com`, and the global endpoints that sign for us-east-1
 * (`iam.amazonaws.com`, `sts.amazonaws.com`, `cloudfront.amazonaws.com`). Undefined for any
 * other host (the emulator's own `127.0.0.1:port`), where the scope's region is taken as the
 * endpoint's, and for S3's global `s3.amazonaws.com`, which answers for a bucket in any region.
 */
export function endpointFromHost(host: string): EndpointScope | undefined {
  const name = host.toLowerCase().replace(/:\d+$/, "").replace(/\.$/, "");
  const inDomain = AWS_DOMAIN.exec(name)?.[1];
  if (inDomain === undefined) return undefined;
  const labels = inDomain.split(".");
  // S3: s3.<region>, s3-<region>, s3.dualstack.<region>, each possibly after a bucket name.
  const s3 = labels.findIndex((l) => l === "s3" || l.startsWith("s3-"));
  if (s3 !== -1) {
    const label = labels[s3] ?? "";
    const region = label.startsWith("s3-")
      ? label.slice(3)
      : labels.slice(s3 + 1).find((l) => REGION.test(l));
    return region !== undefined && REGION.test(region)
      ? { region, endpointPrefix: undefined }
      : undefined;
  }
  const last = labels.at(-1) ?? "";
  if (REGION.test(last))
    return labels.length > 1
      ? { region: last, endpointPrefix: labels.slice(0, -1).join(".") }
      : undefined;
  // A global endpoint (iam.amazonaws.com, sts.amazonaws.com) signs for us-east-1.
  return { region: "us-east-1", endpointPrefix: inDomain };
}

/**
 * Refuses a credential scope that does not fit the endpoint the request was sent to, as AWS does:
 * a region other than the endpoint's ("Credential should be scoped to a valid region, not
 * 'us-east-2'. "; S3: AuthorizationHeaderMalformed "… the region 'us-east-1' is wrong; expecting
 * 'us-west-2'" with the expected Region), or a service other than the endpoint's ("Credential
 * should be scoped to correct service: 'dynamodb'. "). `model` is the endpoint's model; `signingName`
 * the service that owns the endpoint.
 */
export function checkCredentialScope(
  endpoint: EndpointScope,
  auth: SigV4Authorization,
  model: ServiceModel,
): void {
  if (auth.service !== model.signingName)
    throw authErrors.wrongScope(
      model.signingName,
      model.protocol,
      `Credential should be scoped to correct service: '${model.signingName}'. `,
    );
  if (auth.region === endpoint.region) return;
  if (family(model.signingName, model.protocol) !== "s3")
    throw authErrors.wrongScope(
      model.signingName,
      model.protocol,
      `Credential should be scoped to a valid region, not '${auth.region}'. `,
    );
  if (auth.presigned !== undefined)
    throw new AwsError(
      "AuthorizationQueryParametersError",
      `Error parsing the X-Amz-Credential parameter; the region '${auth.region}' is wrong; expecting '${endpoint.region}'`,
      400,
      "Sender",
      { fields: { Region: endpoint.region } },
    );
  throw new AwsError(
    "AuthorizationHeaderMalformed",
    `The authorization header is malformed; the region '${auth.region}' is wrong; expecting '${endpoint.region}'`,
    400,
    "Sender",
    { fields: { Region: endpoint.region } },
  );
}
