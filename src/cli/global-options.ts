import type { Command } from "commander";

export interface GlobalOptions {
  url?: string;
  token?: string;
  json: boolean;
  debug: boolean;
}

/** The options every API command shares, set on the program itself. */
export function globalOptions(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}
