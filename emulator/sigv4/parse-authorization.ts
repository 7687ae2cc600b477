export type SigV4Authorization = {
  accessKeyId: string;
  shortDate: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  /** Set when the signature travels in the query string (a presigned URL). */
  presigned?: { longDate: string; expiresSeconds: number; sessionToken: string | undefined };
};

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;

/** Reads a SigV4 Authorization header; undefined when it is absent or not SigV4. */
export function parseAuthorization(header: string | undefined): SigV4Authorization | undefined {
  const m = header === undefined ? null : AUTHORIZATION.exec(header.trim());
  if (m === null) return undefined;
  const [
    ,
    accessKeyId = "",
    shortDate = "",
    region = "",
    service = "",
    signedHeaders = "",
    signature = "",
  ] = m;
  return {
    accessKeyId,
    shortDate,
    region,
    service,
    signedHeaders: signedHeaders.split(";"),
    signature,
  };
}

const CREDENTIAL = /^([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/;

/** Reads SigV4 query-string authentication (`X-Amz-Algorithm=AWS4-HMAC-SHA256&…`). */
export function parsePresignedQuery(query: URLSearchParams): SigV4Authorization | undefined {
  if (query.get("X-Amz-Algorithm") !== "AWS4-HMAC-SHA256") return undefined;
  const m = CREDENTIAL.exec(query.get("X-Amz-Credential") ?? "");
  const signature = query.get("X-Amz-Signature") ?? "";
  const signedHeaders = query.get("X-Amz-SignedHeaders");
  const longDate = query.get("X-Amz-Date");
  if (
    m === null ||
    !/^[0-9a-f]{64}$/.test(signature) ||
    signedHeaders === null ||
    longDate === null
  )
    return undefined;
  const [, accessKeyId = "", shortDate = "", region = "", service = ""] = m;
  return {
    accessKeyId,
    shortDate,
    region,
    service,
    signedHeaders: signedHeaders.split(";"),
    signature,
    presigned: {
      longDate,
      expiresSeconds: Number(query.get("X-Amz-Expires") ?? "NaN"),
      sessionToken: query.get("X-Amz-Security-Token") ?? undefined,
    },
  };
}
