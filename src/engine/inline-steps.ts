import type { RunStepTable, RunTable } from "../runs/index.js";
import { useSecret } from "../keystore/index.js";
import { compileTemplate, referencedSteps, type ExpressionContext } from "../workflows/index.js";
import type { StepOutcome } from "./advance-run.js";
import type { EngineDeps } from "./engine-deps.js";
import { expressionContext } from "./run-context.js";
import { HttpSecrets } from "./http-secrets.js";
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

type HttpDef = {
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

/**
 * An http request through the outbound layer (the org's allow-list applies), with key store
 * secrets given by reference and never stored: expressions see markers, not values (see
 * HttpSecrets), and the response and any error message are kept with the values removed.
 */
export async function runHttpStep(
  deps: EngineDeps,
  run: RunTable,
  earlier: Earlier,
  _step: Pick<RunStepTable, "idx">,
  plan: StepPlan,
): Promise<StepOutcome> {
  const secrets = new HttpSecrets();
  let outcome: StepOutcome;
  try {
    outcome = await httpRequestStep(deps, run, earlier, plan, secrets);
  } catch (error) {
    throw secrets.redactError(error);
  }
  if (outcome.error === undefined) return outcome;
  return {
    ...outcome,
    error: { ...outcome.error, message: secrets.redact(outcome.error.message) },
  };
}

async function httpRequestStep(
  deps: EngineDeps,
  run: RunTable,
  earlier: Earlier,
  plan: StepPlan,
  secrets: HttpSecrets,
): Promise<StepOutcome> {
  const context = await contextFor(deps, run, earlier, plan);
  if (!(await conditionHolds(deps, run, earlier, plan, context))) return SKIPPED_IF;
  const def = plan.def as HttpDef;
  for (const [name, path] of Object.entries(def.http.secrets ?? {})) {
    const value = await useSecret(deps.keystore, run.org_id, path, {
      auditContext: {
        orgId: run.org_id,
        actor: run.actor,
        sourceIp: null,
        requestId: `run_${run.id.slice(-12)}`,
      },
      purpose: `run ${run.id} step ${def.id}: http request`,
    });
    secrets.add(name, value);
  }
  const withSecrets: ExpressionContext = { ...context, secrets: secrets.markers };
  const at = `steps.${def.id}.http`;
  const url = new URL(
    secrets.reveal(String(await evaluate(def.http.url, `${at}.url`, withSecrets))),
  );
  for (const [k, v] of Object.entries(def.http.query ?? {})) {
    const value = String(await evaluate(v, `${at}.query.${k}`, withSecrets));
    url.searchParams.set(k, secrets.reveal(value));
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(def.http.headers ?? {})) {
    headers[k] = secrets.reveal(String(await evaluate(v, `${at}.headers.${k}`, withSecrets)));
  }
  let body: string | undefined;
  if (def.http.body !== undefined) {
    const value = await evaluate(def.http.body, `${at}.body`, withSecrets);
    body =
      typeof value === "string"
        ? secrets.reveal(value)
        : secrets.revealInJson(JSON.stringify(value));
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
  const text = response.text();
  let parsed: unknown = secrets.redact(text);
  if (String(response.headers["content-type"] ?? "").includes("json")) {
    try {
      // Redacted after parsing: JSON may escape a secret's characters, so its text is not the value.
      parsed = secrets.redactDeep(JSON.parse(text));
    } catch {
      parsed = secrets.redact(text);
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
        message: `${def.http.method} ${url.origin}${url.pathname} answered ${response.status}`,
      },
    };
  }
  return { status: "succeeded", output };
}
