import { AwsError } from "../aws-error.js";
import { paginate, paginatorFor, resultKeyFor, type PageOptions } from "../model/paginate.js";
import { collection, type ResourceItem } from "../world/world.js";
import { iamAction, type CallContext, type OperationHandler } from "./call-context.js";
import { applyEc2Filters, selectByIds, type Ec2Filter } from "./ec2-filters.js";

// ELBv2's paginators file names no limit key; its PageSize is 1..400.
const ELBV2_PAGES: PageOptions = {
  limitKey: "PageSize",
  defaultPageSize: 400,
  minPageSize: 1,
  maxPageSize: 400,
  errorCode: "ValidationError",
};

// RDS and ElastiCache: MaxRecords 20..100, refused as InvalidParameterValue.
const RDS_PAGES: PageOptions = {
  defaultPageSize: 100,
  minPageSize: 20,
  maxPageSize: 100,
  errorCode: "InvalidParameterValue",
};

const PRICING_PAGES: PageOptions = {
  defaultPageSize: 100,
  minPageSize: 1,
  maxPageSize: 100,
  invalidToken: { code: "InvalidNextTokenException", message: "The pagination token is invalid." },
};

// A token the service never issued is refused with the error the operation's model names for it
// (the SDK v3 clients' @throws); where the model names none, the protocol family's
// invalid-parameter error is kept (paginate.ts).
const invalidToken = (code: string, message = "The pagination token is not valid.") => ({
  invalidToken: { code, message },
});

// AWS's documented page-size bounds and defaults for the lists the emulator serves.
const PAGE_OPTIONS: Record<string, PageOptions> = {
  "ec2:DescribeInstances": { minPageSize: 5, maxPageSize: 1000 },
  "ec2:DescribeVpcs": { minPageSize: 5, maxPageSize: 1000 },
  "ec2:DescribeSubnets": { minPageSize: 5, maxPageSize: 1000 },
  "ec2:DescribeSecurityGroups": { minPageSize: 5, maxPageSize: 1000 },
  "lambda:ListFunctions": { defaultPageSize: 50, minPageSize: 1, maxPageSize: 10000 },
  "secretsmanager:ListSecrets": {
    defaultPageSize: 100,
    minPageSize: 1,
    maxPageSize: 100,
    ...invalidToken("InvalidNextTokenException"),
  },
  "ecs:ListClusters": { defaultPageSize: 100, minPageSize: 1, maxPageSize: 100 },
  "ecs:ListServices": { defaultPageSize: 10, minPageSize: 1, maxPageSize: 100 },
  "logs:DescribeQueryDefinitions": { defaultPageSize: 1000, minPageSize: 1, maxPageSize: 1000 },
  "account:ListRegions": {
    defaultPageSize: 20,
    minPageSize: 1,
    maxPageSize: 50,
    ...invalidToken("ValidationException"),
  },
  "ec2:DescribeRouteTables": { minPageSize: 5, maxPageSize: 100 },
  "ec2:DescribeInternetGateways": { minPageSize: 5, maxPageSize: 1000 },
  "ec2:DescribeNatGateways": { minPageSize: 5, maxPageSize: 1000 },
  "ec2:DescribeVolumes": { minPageSize: 5, maxPageSize: 500 },
  "ec2:DescribeInstanceStatus": { minPageSize: 5, maxPageSize: 1000 },
  "elasticloadbalancingv2:DescribeLoadBalancers": ELBV2_PAGES,
  "elasticloadbalancingv2:DescribeTargetGroups": ELBV2_PAGES,
  "elasticloadbalancingv2:DescribeListeners": ELBV2_PAGES,
  "autoscaling:DescribeAutoScalingGroups": {
    defaultPageSize: 50,
    minPageSize: 1,
    maxPageSize: 100,
    errorCode: "ValidationError",
    ...invalidToken("InvalidNextToken"),
  },
  "eks:ListClusters": {
    defaultPageSize: 100,
    minPageSize: 1,
    maxPageSize: 100,
    ...invalidToken("InvalidParameterException"),
  },
  "rds:DescribeDBInstances": RDS_PAGES,
  "rds:DescribeDBClusters": RDS_PAGES,
  "elasticache:DescribeCacheClusters": { ...RDS_PAGES, ...invalidToken("InvalidParameterValue") },
  "sns:ListTopics": { defaultPageSize: 100, ...invalidToken("InvalidParameter") },
  "sqs:ListQueues": { minPageSize: 1, maxPageSize: 1000 },
  // CloudWatch models its own error for a token it did not issue (Query code and JSON shape alike).
  "monitoring:DescribeAlarms": {
    defaultPageSize: 50,
    minPageSize: 1,
    maxPageSize: 100,
    invalidToken: { code: "InvalidNextToken", message: "The next token specified is invalid." },
  },
  "apigateway:GetRestApis": {
    defaultPageSize: 25,
    minPageSize: 1,
    maxPageSize: 500,
    ...invalidToken("BadRequestException"),
  },
  "pricing:GetProducts": PRICING_PAGES,
  "pricing:DescribeServices": PRICING_PAGES,
  "pricing:GetAttributeValues": PRICING_PAGES,
};

export function pageOptions(ctx: CallContext): PageOptions {
  return PAGE_OPTIONS[`${ctx.model.name}:${ctx.operation.name}`] ?? {};
}

/** Services whose resources live once per account rather than per region. */
const GLOBAL_SERVICES = new Set(["s3", "iam", "cloudfront", "route53", "organizations"]);

/** The world's collection `name` of the calling model (`ec2`, `elasticloadbalancingv2`, …). */
export function worldItems(ctx: CallContext, name: string): ResourceItem[] {
  const service = ctx.model.name;
  return collection(
    ctx.account,
    GLOBAL_SERVICES.has(service) ? "global" : ctx.region,
    service,
    name,
  );
}

/** One page of `items` as the operation's output, with its own token field. */
export function pagedOutput(
  ctx: CallContext,
  input: Record<string, unknown>,
  resultKey: string,
  items: unknown[],
): Record<string, unknown> {
  const { page, tokenField, nextToken } = paginate(
    ctx.model,
    ctx.operation,
    input,
    items,
    pageOptions(ctx),
  );
  const output: Record<string, unknown> = { [resultKey]: page };
  if (tokenField !== undefined && nextToken !== undefined) output[tokenField] = nextToken;
  return output;
}

/**
 * The handler every Describe/List/Get over a result key shares: authorize on "*", take the
 * world's collection named like the result key, apply EC2 ids and filters, and paginate.
 */
export const genericRead: OperationHandler = async (ctx, input) => {
  const paginator = paginatorFor(ctx.model, ctx.operation);
  const resultKey = resultKeyFor(ctx.operation, paginator);
  if (resultKey === undefined)
    throw new AwsError(
      "NotImplemented",
      `The emulator does not implement ${ctx.model.signingName}:${ctx.operation.name}`,
      501,
    );
  await ctx.authorize(iamAction(ctx.model.signingName, ctx.operation.name), "*");
  let items = worldItems(ctx, resultKey);
  if (ctx.model.protocol === "ec2") {
    for (const [name, value] of Object.entries(input)) {
      // InstanceIds → InstanceId, GroupNames → GroupName: the item field each entry names.
      if (!/(Ids|Names)$/.test(name) || !Array.isArray(value)) continue;
      items = selectByIds(items, name.slice(0, -1), value as string[]);
    }
    // DescribeNatGateways calls its filters `Filter`.
    const filters = (input.Filters ?? input.Filter) as Ec2Filter[] | undefined;
    items = applyEc2Filters(items, filters, {
      operation: ctx.operation.name,
      accountId: ctx.account.id,
    });
  }
  return pagedOutput(ctx, input, resultKey, items);
};
