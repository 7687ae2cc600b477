import { createHash } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { HttpRequest } from "@smithy/protocol-http";
import {
  ALGORITHM_IDENTIFIER,
  createScope,
  getCanonicalHeaders,
  getSigningKey,
  SignatureV4Base,
} from "@smithy/signature-v4";
import { NodeSha256 } from "./node-sha256.js";
import type { SigV4Authorization } from "./parse-authorization.js";

export type SignableRequest = {
  method: string;
  rawPath: string;
  rawQuery: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
};

function decodeQuery(rawQuery: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  if (rawQuery === "") return query;
  for (const pair of rawQuery.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const key = decodeURIComponent(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? "" : decodeURIComponent(pair.slice(eq + 1));
    const existing = query[key];
    query[key] =
      existing === undefined
        ? value
        : Array.isArray(existing)
          ? [...existing, value]
          : [existing, value];
  }
  return query;
}

export function parseAmzDate(longDate: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(longDate);
  if (m === null) return undefined;
  return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
}

const MAX_SIGNING_KEYS = 4096;

/**
 * @smithy/signature-v4's own canonicalization and key derivation (the code AWS SDKs sign with),
 * driven from the verifying side: over exactly the headers the caller says it signed, with the
 * payload hash already established, and without the request copy that signing makes.
 */
class SignatureVerifier extends SignatureV4Base {
  // Derived keys change once a day per key and scope; deriving one costs five HMACs.
  private readonly signingKeys = new Map<string, Uint8Array>();

  constructor(uriEscapePath: boolean) {
    super({
      service: "verifier",
      region: "verifier",
      credentials: { accessKeyId: "", secretAccessKey: "" },
      sha256: NodeSha256,
      uriEscapePath,
      applyChecksum: false,
    });
  }

  async signature(
    request: HttpRequest,
    auth: SigV4Authorization,
    longDate: string,
    secretAccessKey: string,
    payloadHash: string,
  ): Promise<ComputedSignature> {
    const canonicalHeaders = getCanonicalHeaders(request, undefined, new Set(auth.signedHeaders));
    const scope = createScope(auth.shortDate, auth.region, auth.service);
    const canonicalRequest = this.createCanonicalRequest(request, canonicalHeaders, payloadHash);
    // The string to sign exactly as SignatureV4Base.createStringToSign builds it, hashed straight
    // from the string rather than through a byte-array copy.
    const stringToSign = `${ALGORITHM_IDENTIFIER}\n${longDate}\n${scope}\n${createHash("sha256").update(canonicalRequest).digest("hex")}`;
    const cacheKey = `${secretAccessKey}\n${auth.shortDate}\n${auth.region}\n${auth.service}`;
    let key = this.signingKeys.get(cacheKey);
    if (key === undefined) {
      key = await getSigningKey(
        this.sha256,
        { accessKeyId: auth.accessKeyId, secretAccessKey },
        auth.shortDate,
        auth.region,
        auth.service,
      );
      if (this.signingKeys.size >= MAX_SIGNING_KEYS) this.signingKeys.clear();
      this.signingKeys.set(cacheKey, key);
    }
    const hmac = new NodeSha256(key);
    hmac.update(stringToSign);
    const signature = Buffer.from(await hmac.digest()).toString("hex");
    return { signature, canonicalRequest, stringToSign };
  }
}

/** One emulator's signature computers: S3 signs the path as sent, others URI-encode it again. */
export class SignatureVerifiers {
  private readonly escaped = new SignatureVerifier(true);
  private readonly raw = new SignatureVerifier(false);

  get(service: string): SignatureVerifier {
    return service === "s3" ? this.raw : this.escaped;
  }
}

/** The signature the caller should have sent, and what AWS shows of its making on a mismatch. */
export type ComputedSignature = {
  signature: string;
  canonicalRequest: string;
  stringToSign: string;
};

/** Recomputes the signature the caller should have sent, from its secret. */
export async function computeSignature(
  request: SignableRequest,
  auth: SigV4Authorization,
  secretAccessKey: string,
  longDate: string,
  verifiers: SignatureVerifiers,
): Promise<ComputedSignature> {
  const headers: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const value = request.headers[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
  // S3 signs whatever x-amz-content-sha256 claims (UNSIGNED-PAYLOAD, STREAMING-…); other
  // services sign the body itself.
  const claimed = headers["x-amz-content-sha256"];
  const payloadHash =
    auth.service === "s3" && claimed !== undefined
      ? claimed
      : auth.service === "s3" && auth.presigned !== undefined
        ? "UNSIGNED-PAYLOAD"
        : createHash("sha256").update(request.body).digest("hex");
  const httpRequest = new HttpRequest({
    method: request.method,
    protocol: "http:",
    hostname: headers.host ?? "",
    path: request.rawPath,
    query: decodeQuery(request.rawQuery),
    headers,
  });
  return verifiers
    .get(auth.service)
    .signature(httpRequest, auth, longDate, secretAccessKey, payloadHash);
}
