import { NormalizedSchema } from "@smithy/core/schema";
import type { ActionDefinition } from "./action-definition.js";
import { awsCallAction, awsCallInputSchema } from "./aws-call.js";
import { loadSdkModule, sdkServiceName } from "./sdk-services.js";

/**
 * Where the secrets of one operation's input or output are, read from AWS's own service model
 * once and kept: only the paths that lead to something to mask, so that walking an output
 * alongside it costs nothing where there is none (most of DescribeInstances, say).
 */
export type RedactionPlan =
  /** Masked: `whole` replaces the value; `values` keeps a map's keys (names) and masks each value. */
  | { kind: "mask"; how: "whole" | "values" | "unlessPlainParameter" }
  | { kind: "struct"; members: Map<string, RedactionPlan> }
  | { kind: "list"; items: RedactionPlan }
  | { kind: "map"; values: RedactionPlan };

type Mask = Extract<RedactionPlan, { kind: "mask" }>;
const WHOLE: Mask = { kind: "mask", how: "whole" };
const VALUES: Mask = { kind: "mask", how: "values" };

/**
 * Members that hold secrets but that AWS's models leave without the `sensitive` trait, per SDK
 * service, as `Shape.member` or `member`. Everything the models do mark needs no entry here.
 */
const UNMARKED: Readonly<Record<string, Readonly<Record<string, Mask>>>> = {
  // Docker labels carry whatever their authors put there, credentials included.
  ecs: { dockerLabels: VALUES },
  // A job's arguments hold connection strings and passwords as often as paths.
  glue: { DefaultArguments: VALUES, NonOverridableArguments: VALUES, Arguments: VALUES },
  // A model or job's environment variables (the map; Lambda's and ECS's are marked already).
  sagemaker: { Environment: VALUES },
  // The output does not say which parameters are NoEcho (the template does), and a NoEcho value
  // is sent in clear in CreateStack/UpdateStack input: no parameter value is proven safe.
  cloudformation: { ParameterValue: WHOLE },
  // The key itself, returned by GetApiKey(s) with includeValue and sent to CreateApiKey.
  "api-gateway": { "ApiKey.value": WHOLE, "CreateApiKeyRequest.value": WHOLE },
  // The model marks every Parameter Store value; a String or StringList one is plain by its
  // owner's own choice of type and is shown (redact looks at the sibling Type).
  ssm: {
    "Parameter.Value": { kind: "mask", how: "unlessPlainParameter" },
    "ParameterHistory.Value": { kind: "mask", how: "unlessPlainParameter" },
    "PutParameterRequest.Value": { kind: "mask", how: "unlessPlainParameter" },
  },
};

const plans = new Map<string, Promise<RedactionPlan | undefined>>();

/**
 * The plan for an operation's input or output, `undefined` when its model marks nothing (or the
 * service's client has no such operation: then only redact's key-name rules apply).
 */
export function redactionPlanOf(
  service: string,
  operation: string,
  direction: "input" | "output",
): Promise<RedactionPlan | undefined> {
  const key = `${service}:${operation}:${direction}`;
  let plan = plans.get(key);
  if (plan === undefined) {
    plan = loadSdkModule(service).then(
      (mod) => planOf(mod[`${operation}$`], direction, UNMARKED[service] ?? {}),
      () => undefined,
    );
    plans.set(key, plan);
  }
  return plan;
}

/**
 * The plans for what a run stores: the input it ran with and each target's output. For `aws.call`
 * the operation of its input (whose own `input` is the operation's); for a catalog action that
 * calls one operation, that operation's output. A catalog action that calls several shapes its
 * own output, and its input is its own: redact's key-name rules cover those.
 */
export async function redactionPlansOf(
  action: ActionDefinition,
  input: unknown,
): Promise<{ input?: RedactionPlan; output?: RedactionPlan }> {
  let service = action.sdkService;
  let operation = action.operations.length === 1 ? action.operations[0] : undefined;
  let call = false;
  if (action.id === awsCallAction.id) {
    const parsed = awsCallInputSchema.parse(input);
    service = sdkServiceName(parsed.service);
    operation = parsed.operation;
    call = true;
  }
  if (operation === undefined) return {};
  const [operationInput, output] = await Promise.all([
    call ? redactionPlanOf(service, operation, "input") : undefined,
    redactionPlanOf(service, operation, "output"),
  ]);
  return {
    ...(operationInput === undefined
      ? {}
      : { input: { kind: "struct", members: new Map([["input", operationInput]]) } }),
    ...(output === undefined ? {} : { output }),
  };
}

// An operation's static schema: [9, namespace, name, traits, input, output].
function planOf(
  operationSchema: unknown,
  direction: "input" | "output",
  rules: Readonly<Record<string, Mask>>,
): RedactionPlan | undefined {
  if (!Array.isArray(operationSchema) || operationSchema[0] !== 9) return undefined;
  const ref: unknown = operationSchema[direction === "input" ? 4 : 5];
  if (ref === undefined) return undefined;
  return new PlanBuilder(rules).plan(NormalizedSchema.of(ref as never));
}

class PlanBuilder {
  // One plan per structure schema, made before its members are built, so that a recursive shape
  // (DynamoDB's AttributeValue, Glue's nodes) refers back to it instead of recursing forever.
  private readonly structs = new Map<unknown, Extract<RedactionPlan, { kind: "struct" }>>();

  constructor(private readonly rules: Readonly<Record<string, Mask>>) {}

  /** The plan of a schema, with every path that reaches nothing to mask left out. */
  plan(schema: NormalizedSchema): RedactionPlan | undefined {
    const root = this.build(schema);
    return root === undefined ? undefined : prune(root);
  }

  private build(schema: NormalizedSchema): RedactionPlan | undefined {
    if (schema.getMergedTraits().sensitive) return schema.isMapSchema() ? VALUES : WHOLE;
    if (schema.isListSchema()) {
      const items = this.build(schema.getValueSchema());
      return items === undefined ? undefined : { kind: "list", items };
    }
    if (schema.isMapSchema()) {
      const values = this.build(schema.getValueSchema());
      return values === undefined ? undefined : { kind: "map", values };
    }
    if (!schema.isStructSchema() && !schema.isUnionSchema()) return undefined;
    const key = schema.getSchema();
    const known = this.structs.get(key);
    if (known !== undefined) return known;
    const plan: RedactionPlan = { kind: "struct", members: new Map() };
    this.structs.set(key, plan);
    const shape = schema.getName() ?? "";
    for (const [name, member] of schema.structIterator()) {
      const memberPlan = this.rules[`${shape}.${name}`] ?? this.rules[name] ?? this.build(member);
      if (memberPlan !== undefined) plan.members.set(name, memberPlan);
    }
    return plan;
  }
}

/**
 * Keeps only the paths that reach a mask: the plans that do are found by repeating until nothing
 * changes (recursive shapes make the plan a graph, where one depth-first pass can be wrong).
 */
function prune(root: RedactionPlan): RedactionPlan | undefined {
  const nodes: RedactionPlan[] = [];
  const seen = new Set<RedactionPlan>();
  const collect = (node: RedactionPlan) => {
    if (seen.has(node)) return;
    seen.add(node);
    nodes.push(node);
    for (const child of children(node)) collect(child);
  };
  collect(root);
  const masks = new Set<RedactionPlan>(nodes.filter((n) => n.kind === "mask"));
  for (let changed = true; changed;) {
    changed = false;
    for (const node of nodes) {
      if (!masks.has(node) && children(node).some((c) => masks.has(c))) {
        masks.add(node);
        changed = true;
      }
    }
  }
  for (const node of nodes) {
    if (node.kind !== "struct") continue;
    for (const [name, member] of node.members) if (!masks.has(member)) node.members.delete(name);
  }
  return masks.has(root) ? root : undefined;
}

function children(node: RedactionPlan): RedactionPlan[] {
  switch (node.kind) {
    case "struct":
      return [...node.members.values()];
    case "list":
      return [node.items];
    case "map":
      return [node.values];
    case "mask":
      return [];
  }
}
