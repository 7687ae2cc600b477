import { randomBytes } from "node:crypto";
import type { AwsError } from "../aws-error.js";
import type { Operation } from "../model/service-model.js";
import { locatedHeaders } from "./located-headers.js";
import type { WireResponse } from "./wire-response.js";
import { escapeXml } from "./wire-values.js";
import { xmlElement, xmlMembers } from "./xml-serializer.js";

const S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/";

// The minified models drop the root element names of output documents; AWS's documented ones.
const ROOT_ELEMENTS: Record<string, string> = {
  ListBuckets: "ListAllMyBucketsResult",
  ListObjectsV2: "ListBucketResult",
  ListObjects: "ListBucketResult",
  GetBucketLocation: "LocationConstraint",
};

// S3 answers these writes with 204 No Content; the model does not record it.
const NO_CONTENT = new Set([
  "PutBucketPolicy",
  "DeleteBucketPolicy",
  "DeleteBucket",
  "DeleteBucketTagging",
]);

function s3Headers(requestId: string): Record<string, string> {
  return { "x-amz-request-id": requestId, "x-amz-id-2": randomBytes(24).toString("base64") };
}

/** REST-XML (S3): located members as headers, the payload or an output document as body. */
export function serializeRestXmlOutput(
  operation: Operation,
  output: Record<string, unknown>,
  requestId: string,
): WireResponse {
  const shape = operation.output;
  const headers = { ...s3Headers(requestId), ...locatedHeaders(shape, output) };
  const payloadName = shape.payload;
  let body: string | Buffer = "";
  if (payloadName !== undefined) {
    const member = shape.members[payloadName];
    const value = output[payloadName];
    if (member !== undefined && value !== undefined) {
      if (member.type === "blob" || member.type === "string") body = value as string | Buffer;
      else {
        headers["content-type"] = "application/xml";
        body = `<?xml version="1.0" encoding="UTF-8"?>\n${xmlElement(member, value, member.locationName ?? payloadName, "rest-xml")}`;
      }
    }
  } else if (operation.name === "GetBucketLocation") {
    // S3's one document whose root element is the value itself.
    const region = typeof output.LocationConstraint === "string" ? output.LocationConstraint : "";
    headers["content-type"] = "application/xml";
    body = `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="${S3_NAMESPACE}">${escapeXml(region)}</LocationConstraint>`;
  } else if (Object.values(shape.members).some((m) => m.location === undefined)) {
    const root = shape.locationName ?? ROOT_ELEMENTS[operation.name] ?? `${operation.name}Result`;
    headers["content-type"] = "application/xml";
    body = `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${S3_NAMESPACE}">${xmlMembers(shape, output, "rest-xml")}</${root}>`;
  }
  const status = operation.http.responseCode ?? (NO_CONTENT.has(operation.name) ? 204 : 200);
  return { status, headers, body };
}

export function serializeRestXmlError(error: AwsError, requestId: string): WireResponse {
  const headers: Record<string, string> = {
    ...s3Headers(requestId),
    ...error.extra.headers,
    "content-type": "application/xml",
  };
  const fields = Object.entries(error.extra.fields ?? {})
    .map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`)
    .join("");
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(error.code)}</Code>` +
    `<Message>${escapeXml(error.message)}</Message>${fields}<RequestId>${requestId}</RequestId>` +
    `<HostId>${headers["x-amz-id-2"]}</HostId></Error>`;
  return { status: error.status, headers, body };
}
