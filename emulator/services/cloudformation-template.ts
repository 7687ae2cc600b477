import { parse as parseYaml, type CollectionTag, type ScalarTag } from "yaml";
import { AwsError } from "../aws-error.js";

/** A CloudFormation template, parsed (YAML with the short-form tags, or JSON) and checked. */
export type Template = {
  Description?: string;
  Parameters: Record<string, { Type?: string; Default?: unknown; AllowedValues?: unknown[] }>;
  Conditions: Record<string, unknown>;
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  Outputs: Record<string, { Value: unknown; Description?: string; Condition?: string }>;
};

export function validationError(message: string): AwsError {
  return new AwsError("ValidationError", message, 400);
}

function formatError(message: string): AwsError {
  return validationError(`Template format error: ${message}`);
}

const FUNCTIONS = [
  "Base64",
  "Cidr",
  "FindInMap",
  "GetAtt",
  "GetAZs",
  "ImportValue",
  "Join",
  "Select",
  "Split",
  "Sub",
  "If",
  "Equals",
  "Not",
  "And",
  "Or",
];

// The short forms (`!Ref X`, `!Sub …`, `!GetAtt A.B`) of each intrinsic, on scalars and sequences.
const SHORT_TAGS: (ScalarTag | CollectionTag)[] = [
  { tag: "!Ref", resolve: (value: string) => ({ Ref: value }) },
  { tag: "!Condition", resolve: (value: string) => ({ Condition: value }) },
  ...FUNCTIONS.flatMap((name): (ScalarTag | CollectionTag)[] => [
    {
      tag: `!${name}`,
      resolve: (value: string) =>
        name === "GetAtt"
          ? { "Fn::GetAtt": value.split(/\.(.*)/s).slice(0, 2) }
          : { [`Fn::${name}`]: value },
    },
    ...(["seq", "map"] as const).map((collection): CollectionTag => ({
      tag: `!${name}`,
      collection,
      resolve: (value) => ({ [`Fn::${name}`]: value.toJSON() as unknown }),
    })),
  ]),
];

const IAM_TYPES = new Set([
  "AWS::IAM::Role",
  "AWS::IAM::Policy",
  "AWS::IAM::ManagedPolicy",
  "AWS::IAM::User",
  "AWS::IAM::Group",
  "AWS::IAM::InstanceProfile",
  "AWS::IAM::AccessKey",
  "AWS::IAM::UserToGroupAddition",
]);
// The property that gives each IAM resource a custom name, which needs CAPABILITY_NAMED_IAM.
const NAME_PROPERTY: Record<string, string> = {
  "AWS::IAM::Role": "RoleName",
  "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
  "AWS::IAM::User": "UserName",
  "AWS::IAM::Group": "GroupName",
  "AWS::IAM::InstanceProfile": "InstanceProfileName",
};

/** A template scalar as text; lists and objects as JSON (CloudFormation refuses them there). */
function scalar(value: unknown): string {
  return typeof value === "string" ? value : (JSON.stringify(value) ?? "");
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Parses a TemplateBody as CloudFormation does, refusing it in CloudFormation's words. */
export function parseTemplate(body: string): Template {
  let raw: unknown;
  const trimmed = body.trimStart();
  if (trimmed.startsWith("{")) {
    try {
      raw = JSON.parse(body);
    } catch (error) {
      throw formatError(`JSON not well-formed. (${String(error).replace(/^SyntaxError: /, "")})`);
    }
  } else {
    try {
      raw = parseYaml(body, { customTags: SHORT_TAGS, uniqueKeys: true });
    } catch (error) {
      const where = /at line (\d+), column (\d+)/.exec(String(error));
      throw formatError(
        `YAML not well-formed.${where === null ? "" : ` (line ${where[1]}, column ${where[2]})`}`,
      );
    }
  }
  if (!isObject(raw)) throw formatError("not a JSON or YAML object");
  const resources = raw.Resources;
  if (!isObject(resources) || Object.keys(resources).length === 0)
    throw formatError("At least one Resources member must be defined.");
  const unknownTypes: string[] = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (!isObject(resource) || typeof resource.Type !== "string")
      throw formatError(
        `[/Resources/${logicalId}] Every Resources object must contain a Type member.`,
      );
    if (!/^(AWS|Custom|Alexa)::[A-Za-z0-9]+::[A-Za-z0-9]+$|^Custom::/.test(resource.Type))
      unknownTypes.push(resource.Type);
  }
  if (unknownTypes.length > 0)
    throw formatError(`Unrecognized resource types: [${unknownTypes.join(", ")}]`);
  return {
    ...(typeof raw.Description === "string" ? { Description: raw.Description } : {}),
    Parameters: (isObject(raw.Parameters) ? raw.Parameters : {}) as Template["Parameters"],
    Conditions: isObject(raw.Conditions) ? raw.Conditions : {},
    Resources: resources as Template["Resources"],
    Outputs: (isObject(raw.Outputs) ? raw.Outputs : {}) as Template["Outputs"],
  };
}

/** The capabilities a template needs: CAPABILITY_NAMED_IAM for named IAM resources. */
export function requiredCapabilities(template: Template): string[] {
  let iam = false;
  for (const resource of Object.values(template.Resources)) {
    if (!IAM_TYPES.has(resource.Type)) continue;
    const nameProperty = NAME_PROPERTY[resource.Type];
    if (nameProperty !== undefined && resource.Properties?.[nameProperty] !== undefined)
      return ["CAPABILITY_NAMED_IAM"];
    iam = true;
  }
  return iam ? ["CAPABILITY_IAM"] : [];
}

/** Refuses a template whose IAM resources the caller has not acknowledged, as CloudFormation does. */
export function checkCapabilities(template: Template, given: unknown): void {
  const acknowledged = new Set(Array.isArray(given) ? (given as string[]) : []);
  const required = requiredCapabilities(template);
  const missing = required.filter(
    (c) =>
      !acknowledged.has(c) && !(c === "CAPABILITY_IAM" && acknowledged.has("CAPABILITY_NAMED_IAM")),
  );
  if (missing.length > 0)
    throw new AwsError(
      "InsufficientCapabilitiesException",
      `Requires capabilities : [${missing.join(", ")}]`,
      400,
    );
}

export type ParameterValue = { ParameterKey?: string; ParameterValue?: string };

/** The value of each template parameter: given, else its Default; a missing one is refused. */
export function resolveParameters(
  template: Template,
  given: ParameterValue[],
): Record<string, string> {
  const values: Record<string, string> = {};
  const unknown = given.filter(
    (p) => p.ParameterKey === undefined || !(p.ParameterKey in template.Parameters),
  );
  if (unknown.length > 0)
    throw validationError(
      `Parameters: [${unknown.map((p) => p.ParameterKey ?? "").join(",")}] do not exist in the template`,
    );
  const missing: string[] = [];
  for (const [name, declaration] of Object.entries(template.Parameters)) {
    const value =
      given.find((p) => p.ParameterKey === name)?.ParameterValue ??
      (declaration.Default === undefined ? undefined : scalar(declaration.Default));
    if (value === undefined) {
      missing.push(name);
      continue;
    }
    if (
      Array.isArray(declaration.AllowedValues) &&
      !declaration.AllowedValues.map(String).includes(value)
    )
      throw validationError(`Parameter '${name}' must be one of AllowedValues`);
    values[name] = value;
  }
  if (missing.length > 0)
    throw validationError(`Parameters: [${missing.join(", ")}] must have values`);
  return values;
}

/** What intrinsic functions resolve against in one account and region. */
export type Scope = {
  accountId: string;
  region: string;
  stackName: string;
  stackId: string;
  parameters: Record<string, string>;
  template: Template;
  /** `Ref` of each resource (its physical id). */
  refs: Record<string, string>;
  /** `Fn::GetAtt` of each resource: logical id → attribute → value. */
  attributes: Record<string, Record<string, string>>;
};

/** AWS::NoValue: the property is removed where it appears. */
export const NO_VALUE = Symbol("AWS::NoValue");

function pseudo(scope: Scope, name: string): string | typeof NO_VALUE | undefined {
  switch (name) {
    case "AWS::AccountId":
      return scope.accountId;
    case "AWS::Region":
      return scope.region;
    case "AWS::Partition":
      return "aws";
    case "AWS::URLSuffix":
      return "amazonaws.com";
    case "AWS::StackName":
      return scope.stackName;
    case "AWS::StackId":
      return scope.stackId;
    case "AWS::NoValue":
      return NO_VALUE;
    default:
      return undefined;
  }
}

function reference(scope: Scope, name: string): string | typeof NO_VALUE {
  const value = pseudo(scope, name) ?? scope.parameters[name] ?? scope.refs[name];
  if (value === undefined)
    throw formatError(
      `Unresolved resource dependencies [${name}] in the Resources block of the template`,
    );
  return value;
}

function attribute(scope: Scope, logicalId: string, name: string): string {
  const value = scope.attributes[logicalId]?.[name];
  if (value === undefined)
    throw formatError(
      `Template error: resource ${logicalId} does not support attribute type ${name} in Fn::GetAtt`,
    );
  return value;
}

function substitute(scope: Scope, text: string, variables: Record<string, unknown>): string {
  return text.replace(/\$\{(!?)([^}]+)\}/g, (whole, literal: string, name: string) => {
    if (literal === "!") return `\${${name}}`;
    if (name in variables) return String(evaluate(scope, variables[name]));
    const dot = name.indexOf(".");
    if (dot > 0 && !name.startsWith("AWS::"))
      return attribute(scope, name.slice(0, dot), name.slice(dot + 1));
    const value = reference(scope, name);
    return value === NO_VALUE ? whole : value;
  });
}

export function condition(scope: Scope, name: string): boolean {
  const declared = scope.template.Conditions[name];
  if (declared === undefined) throw formatError(`Unresolved condition dependency ${name}`);
  return evaluate(scope, declared) === true;
}

/** Evaluates intrinsic functions in a template value for one account and region. */
export function evaluate(scope: Scope, value: unknown): unknown {
  if (Array.isArray(value))
    return value.map((v) => evaluate(scope, v)).filter((v) => v !== NO_VALUE);
  if (!isObject(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const key = keys[0] ?? "";
    const arg = value[key];
    const list = (): unknown[] => (Array.isArray(arg) ? arg : [arg]);
    switch (key) {
      case "Ref":
        return reference(scope, String(arg));
      case "Condition":
        return condition(scope, String(arg));
      case "Fn::GetAtt": {
        const [logicalId, name] = (
          Array.isArray(arg) ? arg : scalar(arg).split(/\.(.*)/s)
        ) as unknown[];
        return attribute(scope, scalar(logicalId), scalar(evaluate(scope, name)));
      }
      case "Fn::Sub": {
        const [text, variables] = list();
        return substitute(scope, String(text), isObject(variables) ? variables : {});
      }
      case "Fn::Join": {
        const [separator, items] = list();
        const values = evaluate(scope, items);
        return (Array.isArray(values) ? values : []).map(String).join(String(separator));
      }
      case "Fn::Select": {
        const [index, items] = list();
        const values = evaluate(scope, items);
        return Array.isArray(values) ? values[Number(evaluate(scope, index))] : undefined;
      }
      case "Fn::Split": {
        const [separator, source] = list();
        return String(evaluate(scope, source)).split(String(separator));
      }
      case "Fn::If": {
        const [name, whenTrue, whenFalse] = list();
        return evaluate(scope, condition(scope, String(name)) ? whenTrue : whenFalse);
      }
      case "Fn::Equals": {
        const [a, b] = list().map((v) => evaluate(scope, v));
        return JSON.stringify(a) === JSON.stringify(b);
      }
      case "Fn::Not":
        return evaluate(scope, list()[0]) !== true;
      case "Fn::And":
        return list().every((v) => evaluate(scope, v) === true);
      case "Fn::Or":
        return list().some((v) => evaluate(scope, v) === true);
      case "Fn::Base64":
        return Buffer.from(String(evaluate(scope, arg))).toString("base64");
      default:
        if (key.startsWith("Fn::"))
          throw formatError(`Template error: the emulator does not evaluate ${key}`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const evaluated = evaluate(scope, v);
    if (evaluated !== NO_VALUE) out[k] = evaluated;
  }
  return out;
}
