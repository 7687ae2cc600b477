import { Invalid } from "../errors.js";
import type { Destination } from "./allow-list.js";

const DEFAULT_PORTS: Record<string, number> = { "http:": 80, "https:": 443 };

/**
 * The destination of a URL, in the form the checks compare: WHATWG URL parsing already lower-cases
 * names and normalises odd IPv4 spellings (http://0x7f.1/ is 127.0.0.1), so they cannot dodge a rule.
 */
export function destinationOf(url: URL): Destination {
  const defaultPort = DEFAULT_PORTS[url.protocol];
  if (defaultPort === undefined)
    throw new Invalid(`outbound requests use http or https, not ${url.protocol}`);
  let host = url.hostname;
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  host = host.replace(/\.$/, "");
  return { host, port: url.port === "" ? defaultPort : Number(url.port) };
}

/** Parses a caller's URL; a malformed one is the caller's input error, not an internal one. */
export function outboundUrl(url: string | URL): URL {
  if (url instanceof URL) return url;
  try {
    return new URL(url);
  } catch (error) {
    throw new Invalid(`${JSON.stringify(url)} is not an absolute http(s) URL`, { cause: error });
  }
}

/** The destination of an AWS SDK request (protocol, hostname, optional port). */
export function destinationOfSdkRequest(request: {
  protocol: string;
  hostname: string;
  port?: number | undefined;
}): Destination {
  const hostname =
    request.hostname.includes(":") && !request.hostname.startsWith("[")
      ? `[${request.hostname}]`
      : request.hostname;
  const port = request.port === undefined ? "" : `:${request.port}`;
  return destinationOf(new URL(`${request.protocol}//${hostname}${port}/`));
}
