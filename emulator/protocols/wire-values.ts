import type { Shape } from "../model/service-model.js";

/** World data carries timestamps as ISO strings, Dates or epoch seconds; all become Dates. */
export function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === "number") return new Date(value * 1000);
  return new Date(String(value));
}

const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const ISO_MILLIS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function iso8601(value: unknown): string {
  // World files mostly hold UTC ISO strings already; only the milliseconds AWS prints are missing.
  if (typeof value === "string") {
    if (ISO_MILLIS.test(value)) return value;
    if (ISO_SECONDS.test(value)) return `${value.slice(0, -1)}.000Z`;
  }
  const date = toDate(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString();
}

export function epochSeconds(value: unknown): number {
  return toDate(value).getTime() / 1000;
}

/** A scalar as text for XML bodies, headers and query strings. */
export function scalarText(
  shape: Shape,
  value: unknown,
  defaultTimestamp: "iso8601" | "rfc822",
): string {
  switch (shape.type) {
    case "timestamp": {
      const format = shape.timestampFormat ?? defaultTimestamp;
      if (format === "unixTimestamp") return String(epochSeconds(value));
      return format === "rfc822" ? toDate(value).toUTCString() : iso8601(value);
    }
    case "blob":
      return Buffer.isBuffer(value)
        ? value.toString("base64")
        : Buffer.from(String(value)).toString("base64");
    case "boolean":
      return value === true || value === "true" ? "true" : "false";
    default:
      return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
  }
}

/** A text value from a query string, form body or header, typed by its shape. */
export function parseScalar(shape: Shape, text: string): unknown {
  switch (shape.type) {
    case "integer":
    case "long":
      return Number.parseInt(text, 10);
    case "float":
    case "double":
      return Number.parseFloat(text);
    case "boolean":
      return text === "true";
    case "timestamp":
      return /^\d+(\.\d+)?$/.test(text) ? new Date(Number(text) * 1000) : new Date(text);
    case "blob":
      return Buffer.from(text, "base64");
    default:
      return text;
  }
}

const XML_SPECIAL = /[&<>"'\r\n]/;

export function escapeXml(text: string): string {
  if (!XML_SPECIAL.test(text)) return text;
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")
    .replace(/\r/g, "&#13;")
    .replace(/\n/g, "&#10;");
}
