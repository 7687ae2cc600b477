import type { Shape } from "./service-model.js";

const entriesCache = new WeakMap<Shape, [string, Shape][]>();
const indexCache = new WeakMap<Shape, Map<string, [number, string, Shape]>>();

/** A structure's members in model order, computed once per shape: serializers walk them per call. */
export function memberEntries(shape: Shape): [string, Shape][] {
  let entries = entriesCache.get(shape);
  if (entries === undefined) {
    entries = Object.entries(shape.members);
    entriesCache.set(shape, entries);
  }
  return entries;
}

/**
 * The modeled members a value actually carries, in model order. World items set a few of the
 * dozens of members a shape like EC2's Instance has, so walking the value is the cheaper side.
 */
export function presentMembers(shape: Shape, value: Record<string, unknown>): [string, Shape][] {
  let index = indexCache.get(shape);
  if (index === undefined) {
    index = new Map(memberEntries(shape).map(([name, member], i) => [name, [i, name, member]]));
    indexCache.set(shape, index);
  }
  const present: [number, string, Shape][] = [];
  for (const key in value) {
    const entry = index.get(key);
    if (entry !== undefined && value[key] !== undefined && value[key] !== null) present.push(entry);
  }
  present.sort((a, b) => a[0] - b[0]);
  return present.map(([, name, member]) => [name, member]);
}
