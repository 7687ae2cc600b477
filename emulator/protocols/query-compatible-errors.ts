import type { AwsError } from "../aws-error.js";
import type { ServiceModel } from "../model/service-model.js";

/** How a query-compatible JSON service spells one error on the wire. */
export type QueryCompatibleError = {
  /** The `__type` member: the error shape's id. */
  type: string;
  /** The Query code, first half of the `x-amzn-query-error` header (`Code;Sender`). */
  queryCode: string;
  status: number;
  /** The body member the message goes in. */
  messageField: "message" | "Message";
};

type Modeled = { shape: string; queryCode: string; status: number };

// Each service's error shapes with their awsQueryError code and status, as in the SDK v3 clients'
// schemas (test/emulator/query-compatible-errors.test.ts checks this table against them). Only the
// errors the emulator raises for these services are listed.
const MODELED: Record<string, { namespace: string; errors: Modeled[] }> = {
  monitoring: {
    namespace: "com.amazonaws.cloudwatch",
    errors: [
      { shape: "InvalidNextToken", queryCode: "InvalidNextToken", status: 400 },
      {
        shape: "InvalidParameterCombinationException",
        queryCode: "InvalidParameterCombination",
        status: 400,
      },
      { shape: "ResourceNotFound", queryCode: "ResourceNotFound", status: 404 },
      { shape: "ValidationException", queryCode: "ValidationError", status: 400 },
      { shape: "MissingRequiredParameterException", queryCode: "MissingParameter", status: 400 },
    ],
  },
  sqs: {
    namespace: "com.amazonaws.sqs",
    errors: [
      {
        shape: "QueueDoesNotExist",
        queryCode: "AWS.SimpleQueueService.NonExistentQueue",
        status: 400,
      },
    ],
  },
};

// The common access-denied error keeps the Query status and code. Measured on SQS's JSON protocol
// (2026-10): 403, `x-amzn-query-error: AccessDenied;Sender`, and this shape id with `Message`.
const ACCESS_DENIED: QueryCompatibleError = {
  type: "com.amazon.coral.service#AccessDeniedException",
  queryCode: "AccessDenied",
  status: 403,
  messageField: "Message",
};

// Query-era errors a service still raises that its JSON model has no shape for (SQS's common
// MissingParameter): the SDK reports the header's code, so it is the __type too.
const UNMODELED: Record<string, string[]> = { sqs: ["MissingParameter"] };

/**
 * The wire form of an error a query-compatible JSON service answers with, or undefined when the
 * error is none it names by a Query code (authentication, throttling and other common errors keep
 * their JSON form). Handlers may raise an error by its Query code (the CloudWatch handlers serve
 * Query and JSON alike) or by its JSON shape name.
 */
export function queryCompatibleError(
  model: ServiceModel,
  error: AwsError,
): QueryCompatibleError | undefined {
  if (!model.awsQueryCompatible) return undefined;
  if (error.code === "AccessDenied" || error.code === "AccessDeniedException") return ACCESS_DENIED;
  if (UNMODELED[model.name]?.includes(error.code) === true)
    return {
      type: error.code,
      queryCode: error.code,
      status: error.status,
      messageField: "message",
    };
  const service = MODELED[model.name];
  const found = service?.errors.find((e) => e.shape === error.code || e.queryCode === error.code);
  if (service === undefined || found === undefined) return undefined;
  return {
    type: `${service.namespace}#${found.shape}`,
    queryCode: found.queryCode,
    status: found.status,
    messageField: "message",
  };
}

/** The shapes listed for a service, for the test that holds the table to the SDK's schemas. */
export function modeledQueryErrors(modelName: string): readonly Modeled[] {
  return MODELED[modelName]?.errors ?? [];
}
