#!/usr/bin/env node
import { CommanderError } from "commander";
import { packageVersion } from "../version.js";
import { buildProgram } from "./program.js";

const debug = process.argv.includes("--debug");

try {
  await buildProgram(packageVersion()).parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // commander already printed the usage problem (or the help/version it was asked for).
    process.exitCode = error.exitCode;
  } else {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    if (debug && error instanceof Error) process.stderr.write(`${error.stack ?? ""}\n`);
    process.exitCode = 1;
  }
}
