import { isIP } from "node:net";
import { classifyAddress, familyOf } from "./address-class.js";
import { parseAllowPattern, PatternError, type AllowPattern } from "./allow-pattern.js";

/** Where a request goes: host as in a URL (lower case, no brackets, no trailing dot) and port. */
/** Host verdicts an allow-list keeps. */
const MAX_VERDICTS = 10_000;

export interface Destination {
  host: string;
  port: number;
}

export type RefusalReason =
  /** the host (or literal IP) matches no pattern */
  | "not-listed"
  /** link-local, metadata or unspecified: never reachable */
  | "never"
  /** loopback or private, and no pattern allows that address explicitly */
  | "internal";

export interface Refusal {
  reason: RefusalReason;
  destination: Destination;
  /** the resolved (or literal) address, when the refusal is about one */
  address?: string;
}

/**
 * A name that cannot live in public DNS: `localhost` and `*.localhost` are loopback by RFC 6761,
 * and a single-label name (`localstack`, a compose service) only resolves on the local network.
 * An exact pattern for such a name allows the internal addresses it resolves to. A dotted name
 * is owned by whoever runs its DNS, who could point it at 127.0.0.1 (DNS rebinding), so its
 * internal addresses need an address pattern.
 */
export function isLocalName(host: string): boolean {
  return host === "localhost" || host.endsWith(".localhost") || !host.includes(".");
}

function portMatches(pattern: AllowPattern, port: number): boolean {
  return pattern.port === undefined || pattern.port === port;
}

function addressMatches(pattern: AllowPattern, address: string, port: number): boolean {
  return (
    pattern.kind === "address" &&
    portMatches(pattern, port) &&
    pattern.addresses.check(address, familyOf(address))
  );
}

function nameMatches(pattern: AllowPattern, host: string, port: number): boolean {
  if (!portMatches(pattern, port)) return false;
  if (pattern.kind === "host") return pattern.host === host;
  // suffix is ".example.com": any depth of subdomain, never the apex itself.
  if (pattern.kind === "wildcard") return host.endsWith(pattern.suffix);
  return false;
}

/** An org's compiled allow-list: the two checks every outbound request passes. */
export class AllowList {
  readonly patterns: readonly AllowPattern[];

  constructor(texts: readonly string[]) {
    this.patterns = texts.map(parseAllowPattern);
  }

  /**
   * A list as stored. A pattern saved before a rule refused it (127.0.0.0/0, once accepted) is
   * left out, so it allows nothing, rather than failing every request of the org; saving the
   * list again names it.
   */
  static fromStored(texts: readonly string[]): AllowList {
    return new AllowList(
      texts.filter((text) => {
        try {
          parseAllowPattern(text);
          return true;
        } catch (error) {
          if (error instanceof PatternError) return false;
          throw error;
        }
      }),
    );
  }

  get texts(): string[] {
    return this.patterns.map((p) => p.text);
  }

  /**
   * The check on the host as written, before any DNS lookup or socket. It depends on the list and
   * the destination only, and a fan-out asks it for every request to the same few hosts: the
   * verdicts are kept (the list is immutable; a changed list is a new object).
   */
  checkDestination(destination: Destination): Refusal | undefined {
    const key = `${destination.host}:${destination.port}`;
    if (this.#verdicts.has(key)) {
      const refusal = this.#verdicts.get(key);
      return refusal === undefined ? undefined : { ...refusal, destination };
    }
    if (this.#verdicts.size >= MAX_VERDICTS) this.#verdicts.clear();
    const refusal = this.#check(destination);
    this.#verdicts.set(key, refusal);
    return refusal;
  }

  readonly #verdicts = new Map<string, Refusal | undefined>();

  #check(destination: Destination): Refusal | undefined {
    const { host, port } = destination;
    if (isIP(host) !== 0) {
      if (classifyAddress(host) === "never") return { reason: "never", destination, address: host };
      return this.patterns.some((p) => addressMatches(p, host, port))
        ? undefined
        : { reason: "not-listed", destination, address: host };
    }
    return this.patterns.some((p) => nameMatches(p, host, port))
      ? undefined
      : { reason: "not-listed", destination };
  }

  /**
   * Whether an entry names this destination itself — a host, or one address — rather than a
   * wildcard or a range matching it: an org admin chose this very host.
   */
  namesExactly(destination: Destination): boolean {
    const { host, port } = destination;
    return this.patterns.some((p) => {
      if (p.kind === "host") return nameMatches(p, host, port);
      if (p.kind === "address") {
        return !p.text.includes("/") && isIP(host) !== 0 && addressMatches(p, host, port);
      }
      return false;
    });
  }

  /** The check on each address the host resolved to, at connect time. */
  checkAddress(destination: Destination, address: string): Refusal | undefined {
    const { host, port } = destination;
    switch (classifyAddress(address)) {
      case "never":
        return { reason: "never", destination, address };
      case "public":
        return undefined;
      case "internal": {
        if (this.patterns.some((p) => addressMatches(p, address, port))) return undefined;
        const byName =
          isLocalName(host) &&
          this.patterns.some((p) => p.kind === "host" && nameMatches(p, host, port));
        return byName ? undefined : { reason: "internal", destination, address };
      }
    }
  }
}
