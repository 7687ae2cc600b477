import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";

export type RawCall = {
  url: string;
  service: string;
  region?: string;
  method?: string;
  path?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  signingDate?: Date;
  /** Send x-amz-content-sha256 (SigV4 signers do by default; the SDKs only for S3). */
  applyChecksum?: boolean;
};

/** A request signed with AWS's own signer and sent with fetch, so tests can see raw bytes. */
export async function signedRequest(call: RawCall): Promise<HttpRequest> {
  const url = new URL(call.url);
  const signer = new SignatureV4({
    credentials: call.credentials,
    region: call.region ?? "us-east-1",
    service: call.service,
    sha256: Sha256,
    uriEscapePath: call.service !== "s3",
    applyChecksum: call.applyChecksum ?? true,
  });
  return (await signer.sign(
    new HttpRequest({
      method: call.method ?? "POST",
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: call.path ?? "/",
      query: call.query ?? {},
      headers: { host: url.host, ...call.headers },
      ...(call.body !== undefined ? { body: call.body } : {}),
    }),
    call.signingDate !== undefined ? { signingDate: call.signingDate } : {},
  )) as HttpRequest;
}

export async function send(request: HttpRequest, bodyOverride?: string): Promise<Response> {
  const query = new URLSearchParams(request.query as Record<string, string>).toString();
  const url = `http://${request.hostname}:${String(request.port)}${request.path}${query === "" ? "" : `?${query}`}`;
  const headers = { ...request.headers };
  delete headers.host;
  return fetch(url, {
    method: request.method,
    headers,
    ...(request.body !== undefined || bodyOverride !== undefined
      ? { body: bodyOverride ?? (request.body as string) }
      : {}),
  });
}
