import { z } from "zod";

/** What a fresh org may reach: the AWS public endpoints (commercial, China and the new api.aws domain). */
export const DEFAULT_ALLOW_LIST: readonly string[] = [
  "*.amazonaws.com",
  "*.amazonaws.com.cn",
  "*.api.aws",
];

export const MAX_ALLOW_PATTERNS = 200;

const EXPECTED =
  "expected a host name (api.example.com), a wildcard (*.amazonaws.com), an IP address (10.0.0.5, [::1]), or a CIDR range (10.0.0.0/16), optionally with :port (127.0.0.1:5000)";

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

function isHostName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split(".");
  // An all-numeric last label would be read as an IPv4 address by URL parsers (http://1.2.3/).
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? "")) return false;
  return labels.every((label) => LABEL.test(label));
}

function isPort(text: string): boolean {
  if (!/^[0-9]{1,5}$/.test(text)) return false;
  const port = Number(text);
  return port >= 1 && port <= 65535;
}

/**
 * The syntax of one allow-list pattern, checked with zod alone so the web app can share it.
 * The server's parser (allow-pattern.ts) adds the address rules (metadata is never allowed).
 */
export function patternProblem(pattern: string): string | undefined {
  if (pattern !== pattern.trim() || pattern === "") return EXPECTED;
  if (pattern.includes("://"))
    return "expected a host, not a URL: write api.example.com (no scheme, no path)";
  if (z.cidrv4().safeParse(pattern).success || z.cidrv6().safeParse(pattern).success) return;
  if (z.ipv6().safeParse(pattern).success) return;
  const bracketed = /^\[([^\]]+)\](?::([0-9]+))?$/.exec(pattern);
  if (bracketed !== null) {
    const [, address = "", port] = bracketed;
    if (!z.ipv6().safeParse(address).success) return "expected an IPv6 address inside [ ]";
    if (port !== undefined && !isPort(port)) return "expected a port from 1 to 65535";
    return;
  }
  const colon = pattern.lastIndexOf(":");
  const host = colon === -1 ? pattern : pattern.slice(0, colon);
  const port = colon === -1 ? undefined : pattern.slice(colon + 1);
  if (port !== undefined && !isPort(port)) return "expected a port from 1 to 65535";
  if (z.ipv4().safeParse(host).success) return;
  const lower = host.toLowerCase();
  if (lower === "*") return "a bare * would allow every host; name a domain: *.example.com";
  if (lower.startsWith("*.")) {
    const suffix = lower.slice(2);
    if (!isHostName(suffix)) return EXPECTED;
    if (!suffix.includes("."))
      return "a wildcard needs at least two labels after *. (*.example.com, not *.com)";
    return;
  }
  if (lower.includes("*")) return "* is only allowed as the first label: *.example.com";
  return isHostName(lower.replace(/\.$/, "")) ? undefined : EXPECTED;
}

export const allowPatternSchema = z
  .string()
  .max(300)
  .superRefine((pattern, ctx) => {
    const problem = patternProblem(pattern);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
  })
  .describe(
    "a host name, a *.wildcard (any depth of subdomain, not the apex), an IP address or CIDR range; optionally :port",
  );

export const putOutboundSettingsSchema = z.strictObject({
  allow: z
    .array(allowPatternSchema)
    .max(MAX_ALLOW_PATTERNS)
    .describe("the patterns outbound requests may reach; [] refuses everything"),
});
export type PutOutboundSettingsInput = z.infer<typeof putOutboundSettingsSchema>;

export const outboundSettingsSchema = z.object({
  allow: z.array(z.string()),
  isDefault: z.boolean().describe("true while the org has never changed the list"),
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable(),
});
export type OutboundSettings = z.infer<typeof outboundSettingsSchema>;
