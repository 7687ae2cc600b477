import type { DbOrTx } from "../db/index.js";
import { SwitchboardError } from "../errors.js";
import { secretSendRefusal } from "../keystore/index.js";
import { destinationOf, type Destination } from "../outbound/index.js";
import { hasExpression, type WorkflowDefinition, type WorkflowStep } from "./definition-schema.js";

/** Where a URL known before the run goes; undefined when it is an expression or malformed. */
function knownDestination(url: unknown): Destination | undefined {
  if (typeof url !== "string" || hasExpression(url)) return undefined;
  try {
    return destinationOf(new URL(url));
  } catch {
    return undefined;
  }
}

/**
 * An http step's secrets that may not be sent where it sends them: each refusal names the secret
 * and the host. `url` is the step's URL when it is known before the run (a literal, or an
 * expression of the inputs alone); otherwise only a secret bound to no host is refused. A secret
 * that does not exist yet is left to the run. The run checks again when it sends: that check holds.
 */
export async function httpSecretRefusals(
  db: DbOrTx,
  orgId: string,
  step: WorkflowStep,
  url: unknown = "http" in step ? step.http.url : undefined,
): Promise<{ secret: string; field: string; error: Error }[]> {
  if (!("http" in step)) return [];
  const destination = knownDestination(url);
  const refusals = [];
  for (const [name, path] of Object.entries(step.http.secrets ?? {})) {
    const error = await secretSendRefusal(db, orgId, path, destination);
    if (error !== undefined) refusals.push({ secret: path, field: `http.secrets.${name}`, error });
  }
  return refusals;
}

/** At save: refuses a definition whose http step would send a secret where its writer did not allow. */
export async function requireSecretHostsAllowed(
  db: DbOrTx,
  orgId: string,
  definition: WorkflowDefinition,
): Promise<void> {
  for (const [i, step] of definition.steps.entries()) {
    const [refusal] = await httpSecretRefusals(db, orgId, step);
    if (refusal === undefined) continue;
    throw new SwitchboardError("SECRET_HOST_NOT_ALLOWED", refusal.error.message, {
      field: `steps[${i}].${refusal.field}`,
    });
  }
}
