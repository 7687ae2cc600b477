import type { RunStepTable, RunTable } from "../runs/index.js";
import { SwitchboardError } from "../errors.js";
import { useSecret } from "../keystore/index.js";
import { destinationOf, type OutboundResponse } from "../outbound/index.js";
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

/** The parts of an http step's answer its output may keep. */
type HttpOutputPart = "status" | "headers" | "body";

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
    output?: HttpOutputPart[];
  };
};

/**
 * An http request through the outbound layer (the org's allow-list applies), with key store
 * secrets given by reference and never stored: expressions see markers, not values (see
 * HttpSecrets), each secret goes only to a host its writer bound it to, and the response and any
 * error message are kept with the values removed. The answer of a request that carried secrets
 * keeps only its status unless the step asks for more (`output`): redaction finds a value as
 * written, not a server's transform of it (base64, reversed).
 */
export async function runHttpStep(
  deps: EngineDeps,
  run: RunTable,
  earlier: Earlier,
  _step: Pick<RunStepTable, "idx">,
  plan: StepPlan,
): Promise<StepOutcome> {
  const def = plan.def as HttpDef;
  const secrets = new HttpSecrets(Object.keys(def.http.secrets ?? {}));
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
  const withSecrets: ExpressionContext = { ...context, secrets: secrets.markers };
  const at = `steps.${def.id}.http`;
  // The whole request is built with markers first: where it goes is known before any value is read.
  const markedUrl = new URL(String(await evaluate(def.http.url, `${at}.url`, withSecrets)));
  if (secrets.appearsIn(markedUrl.host)) {
    // A host is looked up in DNS and sent in clear (SNI) before any allow-list can help.
    throw new SwitchboardError(
      "SECRET_HOST_NOT_ALLOWED",
      `a secret may not be part of the URL's host: put it in a header, the query or the body`,
      { field: `${at}.url` },
    );
  }
  const query: [string, string][] = [];
  for (const [k, v] of Object.entries(def.http.query ?? {})) {
    query.push([k, String(await evaluate(v, `${at}.query.${k}`, withSecrets))]);
  }
  const markedHeaders: [string, string][] = [];
  for (const [k, v] of Object.entries(def.http.headers ?? {})) {
    markedHeaders.push([k, String(await evaluate(v, `${at}.headers.${k}`, withSecrets))]);
  }
  const bodyValue =
    def.http.body === undefined
      ? undefined
      : await evaluate(def.http.body, `${at}.body`, withSecrets);

  const destination = destinationOf(markedUrl);
  for (const [name, path] of Object.entries(def.http.secrets ?? {})) {
    const value = await useSecret(deps.keystore, run.org_id, path, {
      auditContext: {
        orgId: run.org_id,
        actor: run.actor,
        sourceIp: null,
        requestId: `run_${run.id.slice(-12)}`,
      },
      purpose: `run ${run.id} step ${def.id}: http request to ${destination.host}`,
      sendTo: destination,
    });
    secrets.add(name, value);
  }
  const url = new URL(secrets.reveal(markedUrl.href));
  const revealed = destinationOf(url);
  if (revealed.host !== destination.host || revealed.port !== destination.port) {
    // A value with "@" or "/" in the URL's user info can move its host: the checked one is used or none.
    throw new SwitchboardError(
      "SECRET_HOST_NOT_ALLOWED",
      `a secret's value changes where the URL goes (from ${destination.host}): put it in a header, the query or the body`,
      { field: `${at}.url` },
    );
  }
  for (const [k, value] of query) url.searchParams.set(k, secrets.reveal(value));
  const headers: Record<string, string> = {};
  for (const [k, value] of markedHeaders) headers[k] = secrets.reveal(value);
  let body: string | undefined;
  if (def.http.body !== undefined) {
    body =
      typeof bodyValue === "string"
        ? secrets.reveal(bodyValue)
        : secrets.revealInJson(JSON.stringify(bodyValue));
    if (typeof bodyValue !== "string") headers["content-type"] ??= "application/json";
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
  const parts = new Set<HttpOutputPart>(
    def.http.output ?? (def.http.secrets === undefined ? ["status", "body"] : ["status"]),
  );
  const output: { status?: number; headers?: unknown; body?: unknown } = {};
  if (parts.has("status")) output.status = response.status;
  if (parts.has("headers")) output.headers = secrets.redactDeep({ ...response.headers });
  if (parts.has("body")) output.body = responseBody(response, secrets);
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

/** The answer's body as stored: JSON parsed when it says it is JSON, secrets' values removed. */
function responseBody(response: OutboundResponse, secrets: HttpSecrets): unknown {
  const text = response.text();
  if (String(response.headers["content-type"] ?? "").includes("json")) {
    try {
      // Redacted after parsing: JSON may escape a secret's characters, so its text is not the value.
      return secrets.redactDeep(JSON.parse(text));
    } catch {
      return secrets.redact(text);
    }
  }
  return secrets.redact(text);
}
