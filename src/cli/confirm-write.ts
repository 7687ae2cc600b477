import type { RunPlan } from "../actions/index.js";
import { CliError } from "./cli-error.js";
import { planLines } from "./run-lines.js";

export interface ConfirmDeps {
  /** Standard input and error are a terminal: a person can be asked. */
  interactive: boolean;
  /** Asks a question on the terminal and answers the line typed. */
  ask: (question: string) => Promise<string>;
  /** Writes to the terminal (standard error: standard output stays the run's data). */
  write: (text: string) => void;
}

/**
 * Before a run that can change something (a write with targets that would run): shows the plan
 * and asks the person to type the number of targets, as the web app does; without a terminal it
 * refuses unless `yes`. Throws a CliError (one line, exit 1) when refused or cancelled.
 */
export async function confirmWrite(plan: RunPlan, yes: boolean, deps: ConfirmDeps): Promise<void> {
  const count = plan.summary.runs;
  if (!plan.write || count === 0 || yes) return;
  const targets = `${count} target${count === 1 ? "" : "s"}`;
  if (!deps.interactive) {
    throw new CliError(
      `${plan.action} can change something (${plan.iamActions.join(", ")}, access level ${plan.accessLevel}) on ${targets}: run it on a terminal to confirm, or pass --yes`,
    );
  }
  for (const line of planLines(plan)) deps.write(`${line}\n`);
  const answer = await deps.ask(`Type ${count} to run it on ${targets} (anything else cancels): `);
  if (answer.trim() !== String(count)) throw new CliError("cancelled: nothing was run");
}
