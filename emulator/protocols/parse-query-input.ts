import { memberEntries } from "../model/member-entries.js";
import type { Shape } from "../model/service-model.js";
import { parseScalar } from "./wire-values.js";

const STRING: Shape = { type: "string", members: {} };
const wireNames = {
  ec2: new WeakMap<Shape, [string, Shape, string][]>(),
  query: new WeakMap<Shape, [string, Shape, string][]>(),
};

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// The form key of each member, computed once per shape and flavor.
function wireMembers(shape: Shape, ec2: boolean): [string, Shape, string][] {
  const cache = ec2 ? wireNames.ec2 : wireNames.query;
  let members = cache.get(shape);
  if (members === undefined) {
    members = memberEntries(shape).map(([name, member]) => [
      name,
      member,
      ec2
        ? (member.queryName ??
          (member.locationName !== undefined ? capitalize(member.locationName) : name))
        : (member.locationName ?? name),
    ]);
    cache.set(shape, members);
  }
  return members;
}

class FormReader {
  private readonly values = new Map<string, string>();
  private readonly prefixes = new Set<string>();

  constructor(
    params: URLSearchParams,
    private readonly ec2: boolean,
  ) {
    for (const [key, value] of params) {
      this.values.set(key, value);
      let dot = key.indexOf(".");
      while (dot !== -1) {
        this.prefixes.add(key.slice(0, dot));
        dot = key.indexOf(".", dot + 1);
      }
      this.prefixes.add(key);
    }
  }

  struct(shape: Shape, prefix: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, member, wire] of wireMembers(shape, this.ec2)) {
      const key = `${prefix}${wire}`;
      if (!this.prefixes.has(key)) continue;
      const value = this.value(member, key);
      if (value !== undefined) out[name] = value;
    }
    return out;
  }

  value(shape: Shape, key: string): unknown {
    switch (shape.type) {
      case "structure":
        return this.struct(shape, `${key}.`);
      case "list": {
        const member = shape.member ?? STRING;
        const base =
          this.ec2 || shape.flattened === true ? key : `${key}.${member.locationName ?? "member"}`;
        const items: unknown[] = [];
        for (let i = 1; this.prefixes.has(`${base}.${i}`); i++)
          items.push(this.value(member, `${base}.${i}`));
        return items;
      }
      case "map": {
        const base = shape.flattened === true ? key : `${key}.entry`;
        const out: Record<string, unknown> = {};
        const k = shape.key?.locationName ?? "key";
        const v = shape.value?.locationName ?? "value";
        for (let i = 1; this.prefixes.has(`${base}.${i}`); i++) {
          const name = this.values.get(`${base}.${i}.${k}`);
          if (name !== undefined && shape.value !== undefined)
            out[name] = this.value(shape.value, `${base}.${i}.${v}`);
        }
        return out;
      }
      default: {
        const text = this.values.get(key);
        return text === undefined ? undefined : parseScalar(shape, text);
      }
    }
  }
}

/**
 * The AWS Query and EC2 Query input parser: a form body of dotted keys becomes the input object.
 * They differ only in naming: EC2 flattens every list and uses `queryName`/capitalized
 * `locationName`, Query nests lists under `member` unless the list is flattened.
 */
export function parseQueryInput(
  shape: Shape,
  params: URLSearchParams,
  ec2: boolean,
): Record<string, unknown> {
  return new FormReader(params, ec2).struct(shape, "");
}
