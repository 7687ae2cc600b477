// Writes the input constraints (length, range, pattern, enum, required, sensitive) of the services
// named below from botocore's full service models: aws-sdk v2's minified models, which the
// emulator otherwise reads, drop them. Run with the data directory of an installed botocore:
//   npx tsx emulator/model/constraints/generate.ts "$(python3 -c 'import botocore,os;print(os.path.dirname(botocore.__file__))')/data"
//   npx prettier --write emulator/model/constraints/*.json
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

const SERVICES = ["dynamodb", "lambda", "logs", "secretsmanager"];
const KEPT = ["type", "required", "min", "max", "pattern", "enum", "sensitive"] as const;

type RawShape = Record<string, unknown> & {
  members?: Record<string, { shape: string }>;
  member?: { shape: string };
  key?: { shape: string };
  value?: { shape: string };
};

const dataDir = process.argv[2];
if (dataDir === undefined) throw new Error("usage: generate.ts <botocore data directory>");
// Recorded in each file, so a reader knows which models' constraints it holds.
const botocore = /__version__ = '([^']+)'/.exec(
  readFileSync(join(dataDir, "..", "__init__.py"), "utf8"),
)?.[1];
for (const service of SERVICES) {
  const latest = readdirSync(join(dataDir, service)).sort().at(-1) ?? "";
  const file = join(dataDir, service, latest, "service-2.json.gz");
  const model = JSON.parse(gunzipSync(readFileSync(file)).toString("utf8")) as {
    metadata: { apiVersion: string };
    operations: Record<string, { input?: { shape: string } }>;
    shapes: Record<string, RawShape>;
  };
  const shapes: Record<string, Record<string, unknown>> = {};
  const visit = (name: string) => {
    if (shapes[name] !== undefined) return;
    const raw = model.shapes[name];
    if (raw === undefined) return;
    const out: Record<string, unknown> = {};
    shapes[name] = out;
    for (const key of KEPT) if (raw[key] !== undefined) out[key] = raw[key];
    if (raw.members !== undefined) {
      out.members = Object.fromEntries(
        Object.entries(raw.members).map(([member, ref]) => [member, ref.shape]),
      );
      for (const ref of Object.values(raw.members)) visit(ref.shape);
    }
    for (const part of ["member", "key", "value"] as const) {
      const ref = raw[part];
      if (ref !== undefined) {
        out[part] = ref.shape;
        visit(ref.shape);
      }
    }
  };
  const operations: Record<string, string> = {};
  for (const [name, op] of Object.entries(model.operations))
    if (op.input !== undefined) {
      operations[name] = op.input.shape;
      visit(op.input.shape);
    }
  const target = join(dirname(fileURLToPath(import.meta.url)), `${service}.json`);
  writeFileSync(
    target,
    `${JSON.stringify({ source: `botocore ${botocore ?? "unknown"}`, apiVersion: model.metadata.apiVersion, operations, shapes })}\n`,
  );
  console.log(`${target}: ${String(Object.keys(shapes).length)} shapes`);
}
