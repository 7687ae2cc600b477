/**
 * `npm run demo`: the AWS emulator with the demo world, and a Switchboard server on a fresh
 * embedded database with one connection of each method pointing at it, a team with grants,
 * and a sign-in — the whole product in a minute without an AWS account.
 */
import { startDemo } from "./demo-stack.js";

async function main(): Promise<void> {
  const demo = await startDemo({
    port: Number(process.env.PORT ?? "8080"),
    ...(process.env.HOST === undefined ? {} : { host: process.env.HOST }),
    emulatorPort: Number(process.env.EMULATOR_PORT ?? "0"),
    logLevel: process.env.LOG_LEVEL ?? "warn",
  });
  const { url, token, admin, member } = demo;
  process.stdout.write(
    [
      "",
      `Switchboard demo is running at ${url}`,
      `  sign in:    ${admin.name} / ${admin.password}   (${member.name} / ${member.password} is an SRE member)`,
      `  API token:  ${token}`,
      `  emulator:   ${demo.emulator.url}  (the demo world: management, production and staging accounts)`,
      "",
      "Connections (one of each method), tested:",
      ...demo.connections.map(
        (c) =>
          `  ${c.name.padEnd(16)} ${c.method.padEnd(13)} ${c.ok ? `ok  ${c.arn ?? ""}` : `failed: ${c.error?.code ?? ""} ${c.error?.fix ?? ""}`}`,
      ),
      "",
      "Try:",
      `  export SWITCHBOARD_URL=${url} SWITCHBOARD_TOKEN=${token}`,
      "  npx switchboard connection list",
      "  npx switchboard action run aws.ec2.describeInstances --all",
      `  npx switchboard action run aws.logs.runSavedQuery --connection production --region us-east-1 --input '{"name":"errors-by-path"}'`,
      "",
      "Press Ctrl+C to stop (the demo's data is in a temporary folder and is removed).",
      "demo ready",
      "",
    ].join("\n"),
  );

  const stop = () => {
    void demo.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
