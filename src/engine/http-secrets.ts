import { randomBytes } from "node:crypto";
import { SwitchboardError } from "../errors.js";

/**
 * Secrets shorter than this are not redacted from responses and messages: replacing two or three
 * characters everywhere would mangle ordinary text. They still never pass through an expression
 * (expressions see markers), so only a server echoing one back could show it.
 */
export const MIN_REDACTED_SECRET_LENGTH = 4;

/**
 * An http step's key store secrets as its expressions see them: each name is bound to a random
 * marker, never to the value, so no expression ($error, $number, $base64encode, …) can put the
 * value in a stored message or send it transformed. The markers are replaced by the values only
 * in the request's final url, query, headers and body; a marker that an expression changed is
 * not recognised, and the value does not leave. The markers exist before any value is decrypted,
 * so the request (and the host it goes to) is known before a value is read.
 */
export class HttpSecrets {
  /** name → marker: what `${{ secrets.<name> }}` gives. */
  readonly markers: Record<string, string> = {};
  private readonly values = new Map<string, string>();

  /** One random marker per name, per step run (letters, digits and _ only, valid in a URL, a header and JSON). */
  constructor(names: readonly string[] = []) {
    for (const name of names) this.markers[name] = `sbsecret_${randomBytes(16).toString("hex")}`;
  }

  /** Binds a name to its value (a name not given to the constructor gets its marker now). */
  add(name: string, value: string): void {
    const marker = (this.markers[name] ??= `sbsecret_${randomBytes(16).toString("hex")}`);
    this.values.set(marker, value);
  }

  /** Whether a secret's marker is in the text, i.e. its value would be there once revealed. */
  appearsIn(text: string): boolean {
    return Object.values(this.markers).some((marker) => text.includes(marker));
  }

  /** Every secret value (for redaction). */
  get secretValues(): string[] {
    return [...this.values.values()];
  }

  /** The text with each marker replaced by its value as it is (a url, a header value, a text body). */
  reveal(text: string): string {
    return this.replaceMarkers(text, (value) => value);
  }

  /** JSON text with each marker (always inside a JSON string) replaced by its value, JSON-escaped. */
  revealInJson(json: string): string {
    return this.replaceMarkers(json, (value) => JSON.stringify(value).slice(1, -1));
  }

  private replaceMarkers(text: string, encode: (value: string) => string): string {
    let out = text;
    for (const [marker, value] of this.values) out = out.split(marker).join(encode(value));
    return out;
  }

  /** The text without any secret value, as is, JSON-escaped or URL-encoded. */
  redact(text: string): string {
    let out = text;
    for (const value of this.secretValues) {
      if (value.length < MIN_REDACTED_SECRET_LENGTH) continue;
      for (const form of redactedForms(value)) out = out.split(form).join("[redacted]");
    }
    return out;
  }

  /** A value (parsed JSON) with every string and key redacted. */
  redactDeep(value: unknown): unknown {
    if (typeof value === "string") return this.redact(value);
    if (Array.isArray(value)) return value.map((v) => this.redactDeep(v));
    if (typeof value !== "object" || value === null) return value;
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [this.redact(k), this.redactDeep(v)]),
    );
  }

  /**
   * The same error with its message redacted: the step's stored error is the message, and an
   * outbound refusal or a DNS error names the URL, which a secret may be part of. The cause is
   * left out, since its message is the unredacted one.
   */
  redactError(error: unknown): Error {
    const message = this.redact(error instanceof Error ? error.message : String(error));
    if (error instanceof SwitchboardError) {
      return new SwitchboardError(error.code, message, {
        ...(error.field === undefined ? {} : { field: this.redact(error.field) }),
      });
    }
    const code = (error as { code?: unknown } | null)?.code;
    return Object.assign(new Error(message), typeof code === "string" ? { code } : {});
  }
}

/** The forms a value takes in a response or a message: as is, in JSON, and URL-encoded. */
function redactedForms(value: string): string[] {
  const forms = [
    value,
    JSON.stringify(value).slice(1, -1),
    encodeURIComponent(value),
    new URLSearchParams({ v: value }).toString().slice(2),
    encodeURI(value),
    // A URL lower-cases its host, where a secret may be.
    value.toLowerCase(),
  ];
  // Longest first, so that a form containing another is replaced whole.
  return [...new Set(forms)].sort((a, b) => b.length - a.length);
}
