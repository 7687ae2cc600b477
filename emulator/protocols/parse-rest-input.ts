import type { IncomingHttpHeaders } from "node:http";
import { XMLParser } from "fast-xml-parser";
import type { Shape } from "../model/service-model.js";
import { parseScalar } from "./wire-values.js";

const xmlParser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
});

/** The REST-JSON and REST-XML input parser: URI labels, query string, headers and body. */
export function parseRestInput(
  shape: Shape,
  request: {
    labels: Record<string, string>;
    query: URLSearchParams;
    headers: IncomingHttpHeaders;
    body: Buffer;
  },
  bodyFormat: "json" | "xml",
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const bodyMembers: [string, Shape][] = [];
  for (const [name, member] of Object.entries(shape.members)) {
    const wire = member.locationName ?? name;
    switch (member.location) {
      case "uri": {
        const value = request.labels[wire];
        if (value !== undefined) out[name] = parseScalar(member, value);
        break;
      }
      case "querystring": {
        if (member.type === "list") {
          const all = request.query.getAll(wire);
          if (all.length > 0) out[name] = all.map((v) => parseScalar(member.member ?? member, v));
        } else if (member.type === "map") {
          out[name] = Object.fromEntries(request.query);
        } else {
          const value = request.query.get(wire);
          if (value !== null) out[name] = parseScalar(member, value);
        }
        break;
      }
      case "header": {
        const value = request.headers[wire.toLowerCase()];
        if (typeof value === "string") out[name] = parseScalar(member, value);
        break;
      }
      case "headers": {
        const prefix = wire.toLowerCase();
        const map: Record<string, string> = {};
        for (const [k, v] of Object.entries(request.headers))
          if (k.startsWith(prefix) && typeof v === "string") map[k.slice(prefix.length)] = v;
        out[name] = map;
        break;
      }
      default:
        bodyMembers.push([name, member]);
    }
  }
  if (request.body.length === 0) return out;
  if (shape.payload !== undefined) {
    const member = shape.members[shape.payload];
    if (member === undefined) return out;
    if (member.type === "blob") out[shape.payload] = request.body;
    else if (member.type === "string") out[shape.payload] = request.body.toString("utf8");
    else out[shape.payload] = parseBody(member, request.body, bodyFormat);
    return out;
  }
  if (bodyMembers.length > 0) Object.assign(out, parseBody(shape, request.body, bodyFormat));
  return out;
}

function parseBody(shape: Shape, body: Buffer, format: "json" | "xml"): Record<string, unknown> {
  if (format === "json") return JSON.parse(body.toString("utf8")) as Record<string, unknown>;
  const doc = xmlParser.parse(body.toString("utf8")) as Record<string, unknown>;
  const root = Object.values(doc).find((v) => typeof v === "object" && v !== null);
  return (fromXml(shape, root) as Record<string, unknown> | undefined) ?? {};
}

function fromXml(shape: Shape, node: unknown): unknown {
  if (node === undefined) return undefined;
  switch (shape.type) {
    case "structure": {
      if (typeof node !== "object" || node === null) return {};
      const element = node as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [name, member] of Object.entries(shape.members)) {
        if (member.location !== undefined) continue;
        const wire =
          member.type === "list" && member.flattened === true
            ? (member.member?.locationName ?? member.locationName ?? name)
            : (member.locationName ?? name);
        const value = element[wire];
        const parsed =
          member.type === "list" && member.flattened === true
            ? fromXmlList(member, value, true)
            : fromXml(member, value);
        if (parsed !== undefined) out[name] = parsed;
      }
      return out;
    }
    case "list":
      return fromXmlList(shape, node, false);
    default:
      return parseScalar(
        shape,
        typeof node === "string"
          ? node
          : typeof node === "number" || typeof node === "boolean"
            ? String(node)
            : "",
      );
  }
}

function fromXmlList(shape: Shape, node: unknown, flattened: boolean): unknown[] | undefined {
  if (node === undefined) return undefined;
  const member = shape.member ?? { type: "string", members: {} };
  const container =
    typeof node === "object" && node !== null ? (node as Record<string, unknown>) : {};
  const items = flattened ? node : container[member.locationName ?? "member"];
  const list = items === undefined || items === "" ? [] : Array.isArray(items) ? items : [items];
  return list.map((item) => fromXml(member, item));
}
