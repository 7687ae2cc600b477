import { AllowList, type AllowListSource } from "../../src/outbound/index.js";

/** An in-memory AllowListSource: the layer's tests need lists, not a database. */
export function staticAllowLists(lists: Record<string, string[]>): AllowListSource & {
  set(orgId: string, patterns: string[]): void;
  reads: number;
} {
  const source = {
    reads: 0,
    get(orgId: string) {
      source.reads += 1;
      return Promise.resolve(new AllowList(lists[orgId] ?? []));
    },
    invalidate() {},
    set(orgId: string, patterns: string[]) {
      lists[orgId] = patterns;
    },
  };
  return source;
}
