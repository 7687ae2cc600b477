import pino, { type DestinationStream, type Logger } from "pino";
import type { LogLevel } from "./config.js";

/**
 * Secrets are kept out of logs by configuration: these paths are censored wherever they
 * appear, whatever a caller happens to log.
 */
export const REDACTED_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  "req.headers['x-csrf-token']",
  "res.headers['set-cookie']",
  "password",
  "secret",
  "token",
  "value",
  "csrfToken",
  "sessionToken",
  "*.password",
  "*.secret",
  "*.token",
  "*.value",
  "*.csrfToken",
  "*.sessionToken",
  "*.secretAccessKey",
  "*.sessionToken",
];

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: { paths: [...new Set(REDACTED_PATHS)], censor: "[redacted]" },
    base: { service: "switchboard" },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
