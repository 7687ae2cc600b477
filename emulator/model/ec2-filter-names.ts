import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

// The aws-sdk v2 models the emulator loads are minified without documentation, and EC2's model
// has no machine-readable list of filter names: AWS documents them only in the `Filters` member's
// documentation, which the SDK v3 client ships in its type declarations. Reading them there keeps
// the emulator's filters in step with what AWS documents, instead of a hand-kept list.
let declarations: string | undefined;

function ec2Declarations(): string {
  if (declarations !== undefined) return declarations;
  const require = createRequire(import.meta.url);
  const dir = join(
    dirname(require.resolve("@aws-sdk/client-ec2/package.json")),
    "dist-types",
    "models",
  );
  declarations = readdirSync(dir)
    .filter((f) => /^models_\d+\.d\.ts$/.test(f))
    .map((f) => readFileSync(join(dir, f), "utf8"))
    .join("\n");
  return declarations;
}

const cache = new Map<string, string[]>();

/**
 * The filter names AWS documents for an EC2 operation's `Filters` input, in the order documented.
 * `tag:<key>` (documented as `tag:<key>` or as `tag`) is returned as `tag:<key>`.
 */
export function documentedEc2FilterNames(operation: string): string[] {
  const cached = cache.get(operation);
  if (cached !== undefined) return cached;
  const source = ec2Declarations();
  const start = source.indexOf(`export interface ${operation}Request {`);
  if (start < 0) throw new Error(`EC2 operation ${operation} is not in @aws-sdk/client-ec2`);
  const end = source.indexOf("\n}", start);
  const body = source.slice(start, end);
  // DescribeNatGateways (and a few others) name the member `Filter`.
  const member = /\n\s*Filters?\?: Filter\[\]/.exec(body);
  if (member === null) throw new Error(`EC2 operation ${operation} has no Filters input`);
  const doc = body.slice(body.lastIndexOf("/**", member.index), member.index);
  const names = [...doc.matchAll(/<li>\s*\*?\s*<p>\s*\*?\s*<code>(tag:<key>|[^<]+)<\/code>/g)].map(
    (m) => {
      const name = (m[1] ?? "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").trim();
      return name === "tag" ? "tag:<key>" : name;
    },
  );
  cache.set(operation, names);
  return names;
}
