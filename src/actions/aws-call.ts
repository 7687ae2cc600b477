import { z } from "zod";
import { Invalid } from "../errors.js";
import type { ActionContext, ActionDefinition } from "./action-definition.js";
import { closestNames, didYouMean } from "./closest-names.js";
import { collectPages } from "./collect-pages.js";
import { loadSdkModule, sdkServiceName } from "./sdk-services.js";

export const awsCallInputSchema = z.strictObject({
  service: z
    .string()
    .regex(/^[a-z0-9-]{2,64}$/, "expected an SDK client name such as ec2, s3 or cloudwatch-logs"),
  operation: z
    .string()
    .regex(/^[A-Z][A-Za-z0-9]{1,127}$/, "expected an operation name such as DescribeInstances"),
  input: z.record(z.string(), z.unknown()).default({}),
  maxItems: z.number().int().positive().optional(),
});
export type AwsCallInput = z.infer<typeof awsCallInputSchema>;

export { sdkServiceName };

type SdkClientClass = new (config: never) => { send(command: unknown): Promise<unknown> };

interface SdkModule {
  client: SdkClientClass;
  command: new (input: unknown) => unknown;
  paginator?: (
    config: { client: unknown; pageSize?: number; stopOnSameToken?: boolean },
    input: unknown,
  ) => AsyncIterable<Record<string, unknown>>;
}

/** Loads the shipped `@aws-sdk/client-<service>` (on first use): the module and its client class. */
export async function loadSdkClient(
  service: string,
): Promise<{ module: Record<string, unknown>; client: SdkClientClass }> {
  const name = sdkServiceName(service);
  const specifier = `@aws-sdk/client-${name}`;
  const mod = await loadSdkModule(name);
  const clientName = Object.keys(mod).find(
    (k) => k.endsWith("Client") && !k.endsWith("ServiceClient") && typeof mod[k] === "function",
  );
  if (clientName === undefined) {
    throw new Invalid(`${specifier} has no client class`, { field: "service" });
  }
  return { module: mod, client: mod[clientName] as SdkClientClass };
}

/**
 * Checks that the service's SDK client has the operation; Invalid (field `operation`) naming the
 * closest operations when it has not (a typo: DescribeDbInstance for DescribeDBInstances).
 */
export async function checkOperation(service: string, operation: string): Promise<void> {
  // The module is imported once and kept: a run's every target checks it at no cost.
  const mod = await loadSdkModule(sdkServiceName(service));
  if (typeof mod[`${operation}Command`] === "function") return;
  const operations = Object.keys(mod)
    .filter((k) => k.endsWith("Command") && k !== "Command" && typeof mod[k] === "function")
    .map((k) => k.slice(0, -"Command".length));
  const suggestions = closestNames(operation, operations);
  throw new Invalid(
    `@aws-sdk/client-${sdkServiceName(service)} has no operation ${operation}:${didYouMean(suggestions) || " check its name in the AWS API reference"}`,
    { field: "operation", details: [{ field: "operation", suggestions }] },
  );
}

/** Finds the operation in the service's SDK client, with its paginator when it has one. */
async function loadOperation(service: string, operation: string): Promise<SdkModule> {
  const { module: mod, client } = await loadSdkClient(service);
  await checkOperation(service, operation);
  const command = mod[`${operation}Command`];
  const paginator = mod[`paginate${operation}`];
  return {
    client,
    command: command as SdkModule["command"],
    ...(typeof paginator === "function"
      ? { paginator: paginator as NonNullable<SdkModule["paginator"]> }
      : {}),
  };
}

/** Follows every page and joins the list fields that all pages carry. */
async function callOperation(ctx: ActionContext, call: AwsCallInput): Promise<unknown> {
  const op = await loadOperation(call.service, call.operation);
  const client = ctx.client(op.client);
  if (op.paginator === undefined) {
    const { $metadata: _m, ...result } = (await client.send(new op.command(call.input))) as Record<
      string,
      unknown
    >;
    return result;
  }
  const pages = op.paginator(
    ctx.pageSize === undefined
      ? { client, stopOnSameToken: true }
      : { client, pageSize: ctx.pageSize, stopOnSameToken: true },
    call.input,
  );
  // The list fields are the arrays of the first page; collectPages joins them across pages.
  return collectPages(pages, undefined, call.maxItems ?? ctx.maxItems);
}

/** `aws.call`: any operation of any installed SDK client, under the same rules as the catalog. */
export const awsCallAction: ActionDefinition<AwsCallInput> = {
  id: "aws.call",
  title: "Call any AWS operation",
  description:
    "Any operation of any AWS SDK v3 client installed with Switchboard, by service and operation name.",
  sdkService: "*",
  operations: [],
  input: awsCallInputSchema,
  output: "the operation's output (all pages joined)",
  run: callOperation,
};
