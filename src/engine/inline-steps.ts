import type { RunStepTable, RunTable } from "../runs/index.js";
import { useSecret } from "../keystore/index.js";
import { compileTemplate, referencedSteps, type ExpressionContext } from "../workflows/index.js";
import type { StepOutcome } from "./advance-run.js";
import type { EngineDeps } from "./engine-deps.js";
import { expressionContext } from "./run-context.js";
import type { StepPlan } from "./step-plan.js";

type Earlier = Pick<RunStepTable, "idx" | "step_id" | "status" | "output">[];

/** The expression context of a step: its referenced steps' targets are read, the others' not. */
export async function contextFor(
  deps: EngineDeps,
  run: RunTable,
  earlier: Earlier,
  plan: StepPlan,
): Promise<ExpressionContext> {
  return expressionContext(deps, run, earlier, new Set(referencedSteps(plan.def)));
}

export async function evaluate(
  value: unknown,
  path: string,
  context: ExpressionContext,
): Promise<unknown> {
  return compileTemplate(value, path).evaluate(context);
}

/** A step's `if`: absent is true; the expression's value must be true for the step to run. */
export async function conditionHolds(
  deps: EngineDeps,
  run: RunTable,
  earlier: Earlier,
  plan: StepPlan,
  context?: ExpressionContext,
): Promise<boolean> {
  const condition = (plan.def as { if?: string }).if;
  if (condition === undefined) return true;
  const value = await evaluate(
    condition,
    `steps.${plan.def.id}.if`,
    context ?? (await contextFor(deps, run, earlier, plan)),
  );
  return value === true;
}

const SKIPPED_IF: StepOutcome = {
  status: "skipped",
  error: { code: "CONDITION_FALSE", message: "the step's if was false" },
};

/** A transform: the value of its expressions, computed without any I/O. */
export async function runTransformStep(
  deps: EngineDeps,
  run: RunTable,
  earlier: Earlier,
  _step: Pick<RunStepTable, "idx">,
  plan: StepPlan,
): Promise<StepOutcome> {
  const context = await contextFor(deps, run, earlier, plan);
  if (!(await conditionHolds(deps, run, earlier, plan, context))) return SKIPPED_IF;
  const def = plan.def as { id: string; transform: unknown };
  const output = await evaluate(def.transform, `steps.${def.id}.transform`, context);
  return { status: "succeeded", output: output ?? null };
}

const MAX_HTTP_OUTPUT_BYTES = 256 * 1024;

/** Replaces every secret value in a text, so a response echoing one does not store it. */
function withoutSecrets(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join("[redacted]");
  return out;
}

function withoutSecretsDeep(value: unknown, secrets: string[]): unknown {
  if (typeof value === "string") return withoutSecrets(value, secrets);
  if (Array.isArray(value)) return value.map((v) => withoutSecretsDeep(v, secrets));
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      withoutSecrets(k, secrets),
      withoutSecretsDeep(v, secrets),
    ]),
  );
}

/**
 * An http request through the outbound layer (the org's allow-list applies), with key store
 * secrets given by reference and never stored: the response is kept with their values removed.
 */
export async function runHttpStep(
  deps: EngineDeps,
  run: RunTable,
  earlier: Earlier,
  _step: Pick<RunStepTable, "idx">,
  plan: StepPlan,
): Promise<StepOutcome> {
  const context = await contextFor(deps, run, earlier, plan);
  if (!(await conditionHolds(deps, run, earlier, plan, context))) return SKIPPED_IF;
  const def = plan.def as {
    id: string;
    timeoutMs?: number;
    http: {
      method: string;
      url: string;
      headers?: Record<string, string>;
      query?: Record<string, string>;
      body?: unknown;
      secrets?: Record<string, string>;
      expectStatus?: number[];
    };
  };
  const secrets: Record<string, string> = {};
  for (const [name, path] of Object.entries(def.http.secrets ?? {})) {
    secrets[name] = await useSecret(deps.keystore, run.org_id, path, {
      auditContext: {
        orgId: run.org_id,
        actor: run.actor,
        sourceIp: null,
        requestId: `run_${run.id.slice(-12)}`,
      },
      purpose: `run ${run.id} step ${def.id}: http request`,
    });
  }
  const withSecrets: ExpressionContext = { ...context, secrets };
  const at = `steps.${def.id}.http`;
  const url = new URL(String(await evaluate(def.http.url, `${at}.url`, withSecrets)));
  for (const [k, v] of Object.entries(def.http.query ?? {})) {
    url.searchParams.set(k, String(await evaluate(v, `${at}.query.${k}`, withSecrets)));
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(def.http.headers ?? {})) {
    headers[k] = String(await evaluate(v, `${at}.headers.${k}`, withSecrets));
  }
  let body: string | undefined;
  if (def.http.body !== undefined) {
    const value = await evaluate(def.http.body, `${at}.body`, withSecrets);
    body = typeof value === "string" ? value : JSON.stringify(value);
    if (typeof value !== "string") headers["content-type"] ??= "application/json";
  }
  // The outbound layer's timeoutMs is a socket's silence; the step's timeout bounds the request.
  const deadline = def.timeoutMs === undefined ? undefined : AbortSignal.timeout(def.timeoutMs);
  let response;
  try {
    response = await deps.outbound.request(run.org_id, url, {
      method: def.http.method,
      headers,
      ...(body === undefined ? {} : { body }),
      timeoutMs: def.timeoutMs ?? 30_000,
      maxResponseBytes: MAX_HTTP_OUTPUT_BYTES,
      ...(deadline === undefined ? {} : { signal: deadline }),
    });
  } catch (error) {
    if (deadline?.aborted !== true) throw error;
    return {
      status: "failed",
      error: {
        code: "STEP_TIMED_OUT",
        message: `the step's timeout (${def.timeoutMs} ms) passed before ${url.host} answered`,
      },
    };
  }
  const values = Object.values(secrets);
  const text = response.text();
  let parsed: unknown = withoutSecrets(text, values);
  if (String(response.headers["content-type"] ?? "").includes("json")) {
    try {
      // Redacted after parsing: JSON may escape a secret's characters, so its text is not the value.
      parsed = withoutSecretsDeep(JSON.parse(text), values);
    } catch {
      parsed = withoutSecrets(text, values);
    }
  }
  const output = { status: response.status, body: parsed };
  const ok =
    def.http.expectStatus === undefined
      ? response.status >= 200 && response.status < 300
      : def.http.expectStatus.includes(response.status);
  if (!ok) {
    return {
      status: "failed",
      output,
      error: {
        code: "HTTP_STATUS",
        message: withoutSecrets(
          `${def.http.method} ${url.origin}${url.pathname} answered ${response.status}`,
          values,
        ),
      },
    };
  }
  return { status: "succeeded", output };
}
