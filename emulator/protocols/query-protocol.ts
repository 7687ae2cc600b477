import type { AwsError } from "../aws-error.js";
import type { Operation, ServiceModel } from "../model/service-model.js";
import type { WireResponse } from "./wire-response.js";
import { escapeXml } from "./wire-values.js";
import { xmlMembers } from "./xml-serializer.js";

const XML_HEADERS = { "content-type": "text/xml" };

/** AWS Query (STS…): `<OpResponse><OpResult>…</OpResult><ResponseMetadata>`. */
export function serializeQueryOutput(
  model: ServiceModel,
  operation: Operation,
  output: Record<string, unknown>,
  requestId: string,
): WireResponse {
  const ns = model.xmlNamespace !== undefined ? ` xmlns="${model.xmlNamespace}"` : "";
  const wrapper = operation.output.resultWrapper;
  const members = xmlMembers(operation.output, output, "query");
  const result = wrapper !== undefined ? `<${wrapper}>${members}</${wrapper}>` : members;
  const body =
    `<${operation.name}Response${ns}>${result}` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation.name}Response>`;
  return { status: 200, headers: { ...XML_HEADERS, "x-amzn-requestid": requestId }, body };
}

export function serializeQueryError(
  model: ServiceModel,
  error: AwsError,
  requestId: string,
): WireResponse {
  const ns = model.xmlNamespace !== undefined ? ` xmlns="${model.xmlNamespace}"` : "";
  const body =
    `<ErrorResponse${ns}><Error><Type>${error.fault}</Type><Code>${escapeXml(error.code)}</Code>` +
    `<Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  return { status: error.status, headers: { ...XML_HEADERS, "x-amzn-requestid": requestId }, body };
}

// EC2's namespace in the model lacks the trailing slash that EC2 puts on the wire.
function ec2Namespace(model: ServiceModel): string {
  const ns = model.xmlNamespace ?? "";
  return ns.endsWith("/") ? ns : `${ns}/`;
}

/** EC2 Query: `<OpResponse><requestId/>members…</OpResponse>`, lists as `<xSet><item>`. */
export function serializeEc2Output(
  model: ServiceModel,
  operation: Operation,
  output: Record<string, unknown>,
  requestId: string,
): WireResponse {
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<${operation.name}Response xmlns="${ec2Namespace(model)}">` +
    `<requestId>${requestId}</requestId>${xmlMembers(operation.output, output, "ec2")}</${operation.name}Response>`;
  return { status: 200, headers: { "content-type": "text/xml;charset=UTF-8" }, body };
}

export function serializeEc2Error(error: AwsError, requestId: string): WireResponse {
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(error.code)}</Code>` +
    `<Message>${escapeXml(error.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`;
  return { status: error.status, headers: { "content-type": "text/xml;charset=UTF-8" }, body };
}
