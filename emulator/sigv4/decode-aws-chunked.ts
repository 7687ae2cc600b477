/**
 * Decodes an `aws-chunked` body (`<hex-size>[;chunk-signature=…]\r\n<data>\r\n…0\r\n[trailers]`),
 * which SDKs send with streaming payload hashes. Chunk signatures are not verified.
 */
export function decodeAwsChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < body.length) {
    const lineEnd = body.indexOf("\r\n", offset);
    if (lineEnd === -1) break;
    const size = Number.parseInt(
      body.subarray(offset, lineEnd).toString("latin1").split(";")[0] ?? "",
      16,
    );
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
