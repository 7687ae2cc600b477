import type { Shape } from "../model/service-model.js";
import { escapeXml, scalarText } from "./wire-values.js";
import { presentMembers } from "../model/member-entries.js";

export type XmlFlavor = "query" | "ec2" | "rest-xml";

/**
 * Serializes the modeled members of `value` as XML children, in member order. Members the model
 * does not name are never written, so world data may carry extra fields (bucket policies…).
 */
export function xmlMembers(
  shape: Shape,
  value: Record<string, unknown>,
  flavor: XmlFlavor,
): string {
  let out = "";
  for (const [name, member] of presentMembers(shape, value)) {
    if (member.location !== undefined || member.xmlAttribute === true) continue;
    out += xmlElement(member, value[name], member.locationName ?? name, flavor);
  }
  return out;
}

export function xmlElement(shape: Shape, value: unknown, name: string, flavor: XmlFlavor): string {
  switch (shape.type) {
    case "structure":
      return `<${name}>${xmlMembers(shape, (value ?? {}) as Record<string, unknown>, flavor)}</${name}>`;
    case "list": {
      const member = shape.member ?? { type: "string", members: {} };
      const items = Array.isArray(value) ? value : [value];
      if (shape.flattened === true) {
        const itemName = member.locationName ?? name;
        return items.map((item) => xmlElement(member, item, itemName, flavor)).join("");
      }
      const itemName = member.locationName ?? (flavor === "ec2" ? "item" : "member");
      return `<${name}>${items.map((item) => xmlElement(member, item, itemName, flavor)).join("")}</${name}>`;
    }
    case "map": {
      const keyShape = shape.key ?? { type: "string", members: {} };
      const valueShape = shape.value ?? { type: "string", members: {} };
      const entries = Object.entries((value ?? {}) as Record<string, unknown>)
        .map(
          ([k, v]) =>
            xmlElement(keyShape, k, keyShape.locationName ?? "key", flavor) +
            xmlElement(valueShape, v, valueShape.locationName ?? "value", flavor),
        )
        .map((pair) =>
          shape.flattened === true ? `<${name}>${pair}</${name}>` : `<entry>${pair}</entry>`,
        );
      return shape.flattened === true ? entries.join("") : `<${name}>${entries.join("")}</${name}>`;
    }
    default:
      return `<${name}>${escapeXml(scalarText(shape, value, "iso8601"))}</${name}>`;
  }
}
