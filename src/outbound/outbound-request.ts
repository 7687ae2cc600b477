import http from "node:http";
import https from "node:https";
import { Upstream } from "../errors.js";

export interface OutboundRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Whole request, connect to last byte; default 30 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** A response larger than this fails instead of filling memory; default 10 MiB. */
  maxResponseBytes?: number;
  /**
   * The one exception to the allow-list: the `ambient` credential method's own lookup at the
   * instance-metadata or container-credentials endpoint (AMBIENT_ENDPOINTS, plain http, nothing
   * else). Only the ambient credential resolver may set it.
   */
  allowAmbient?: true;
}

export interface OutboundResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text(): string;
  json<T = unknown>(): T;
}

/**
 * Sends one request on the given agent and reads the whole answer. Redirects are not followed:
 * a redirect to another host would otherwise skip the caller's check of that host.
 */
export function sendOutboundRequest(
  url: URL,
  agent: http.Agent,
  options: OutboundRequestOptions,
): Promise<OutboundResponse> {
  const send = url.protocol === "https:" ? https.request : http.request;
  const maxBytes = options.maxResponseBytes ?? 10 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const request = send(url, {
      method: options.method ?? "GET",
      headers: options.headers,
      agent,
      timeout: options.timeoutMs ?? 30_000,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    request.on("timeout", () =>
      request.destroy(new Upstream(`outbound request to ${url.host} timed out`)),
    );
    request.on("error", reject);
    request.on("response", (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          response.destroy(
            new Upstream(`the response from ${url.host} is larger than ${maxBytes} bytes`),
          );
          return;
        }
        chunks.push(chunk);
      });
      response.on("error", reject);
      response.on("end", () => {
        const body = Buffer.concat(chunks);
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body,
          text: () => body.toString("utf8"),
          json: <T>() => JSON.parse(body.toString("utf8")) as T,
        });
      });
    });
    request.end(options.body);
  });
}
