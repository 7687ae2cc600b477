import { parse } from "yaml";

export type StepKind = "action" | "transform" | "http" | "approval";

/** What the graph shows of a step: enough to read the workflow's shape, not to run it. */
export interface StepOutline {
  id: string;
  kind: StepKind | null;
  /** "aws.ec2.describeInstances on production · us-east-1", "GET https://…", "executor on prod". */
  summary: string;
  badges: string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(text).join(", ");
  if (isRecord(value) && typeof value.tag === "string") return `tag ${value.tag}`;
  return JSON.stringify(value);
}

function kindOf(step: Record<string, unknown>): StepKind | null {
  const kinds = (["action", "transform", "http", "approval"] as const).filter(
    (k) => step[k] !== undefined,
  );
  return kinds.length === 1 ? (kinds[0] ?? null) : null;
}

function summarize(step: Record<string, unknown>, kind: StepKind | null): string {
  switch (kind) {
    case "action": {
      const where = text(step.connection ?? step.connections) || "every connection";
      const regions = text(step.region ?? step.regions);
      return `${text(step.action)} on ${where}${regions === "" ? "" : ` · ${regions}`}`;
    }
    case "http": {
      const http = isRecord(step.http) ? step.http : {};
      return `${text(http.method)} ${text(http.url)}`.trim();
    }
    case "approval": {
      const approval = isRecord(step.approval) ? step.approval : {};
      const grant = text(approval.grant) || "executor";
      const on = text(approval.connection);
      return `needs a person with ${grant}${on === "" ? " on the run's connections" : ` on ${on}`}`;
    }
    case "transform":
      return "computes a value (no I/O)";
    default:
      return "one of action, transform, http or approval";
  }
}

function badges(step: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (step.if !== undefined) out.push("if");
  if (step.forEach !== undefined) out.push("forEach");
  if (step.onError === "continue") out.push("onError: continue");
  if (step.retry !== undefined) out.push("retry");
  if (step.timeout !== undefined || step.timeoutMs !== undefined) out.push("timeout");
  return out;
}

/** The steps of a definition (parsed or validated), as far as they can be read. */
export function outlineSteps(definition: unknown): StepOutline[] {
  if (!isRecord(definition) || !Array.isArray(definition.steps)) return [];
  return definition.steps.map((raw, i) => {
    const step = isRecord(raw) ? raw : {};
    const kind = kindOf(step);
    return {
      id: typeof step.id === "string" && step.id !== "" ? step.id : `steps[${i}]`,
      kind,
      summary: summarize(step, kind),
      badges: badges(step),
    };
  });
}

/**
 * The editor's text as a definition for the graph. Half-typed YAML is normal while editing, so a
 * text that does not parse gives undefined (the graph keeps its last good picture).
 */
export function parseSource(source: string): unknown {
  try {
    return parse(source, { maxAliasCount: 100 }) as unknown;
  } catch {
    return undefined;
  }
}
