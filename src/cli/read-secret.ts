import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import { CliError } from "./cli-error.js";

/**
 * Reads a secret from standard input (piped) or from a prompt that does not echo, never
 * from an argument, which would land in shell history and the process list.
 */
export async function readSecret(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(chunk as Buffer);
    const value = Buffer.concat(chunks)
      .toString("utf8")
      .replace(/\r?\n$/, "");
    if (value === "") throw new CliError("expected the secret on standard input, got nothing");
    return value;
  }
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (!muted) process.stderr.write(chunk);
      callback();
    },
  });
  const rl = createInterface({ input: stdin, output, terminal: true });
  const answer = new Promise<string>((resolve) => rl.question(prompt, resolve));
  muted = true;
  const value = await answer;
  rl.close();
  process.stderr.write("\n");
  return value;
}
