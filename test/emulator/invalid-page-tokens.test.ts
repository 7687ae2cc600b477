import { AccountClient, ListRegionsCommand } from "@aws-sdk/client-account";
import { APIGatewayClient, GetRestApisCommand } from "@aws-sdk/client-api-gateway";
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { DescribeCacheClustersCommand, ElastiCacheClient } from "@aws-sdk/client-elasticache";
import { EKSClient, ListClustersCommand } from "@aws-sdk/client-eks";
import { GetProductsCommand, PricingClient } from "@aws-sdk/client-pricing";
import { ListSecretsCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { ListTopicsCommand, SNSClient } from "@aws-sdk/client-sns";
import { describe, expect, it } from "vitest";
import { failure, sdkHarness } from "./sdk-harness.js";
import { KEYS, testWorld } from "./test-world.js";

// A pagination token the service never issued is refused with the error the operation's model
// names for it (the SDK v3 clients' @throws), not the protocol family's generic one.
const { config } = sdkHarness(testWorld, { credentials: KEYS.admin });

const TOKEN = "bm90LWEtdG9rZW4=";

describe("a page token the service never issued", () => {
  // The call, the SDK's error class, and (Query services) the code on the wire.
  const cases: [string, () => Promise<unknown>, string, string?][] = [
    [
      "Secrets Manager ListSecrets",
      () => new SecretsManagerClient(config()).send(new ListSecretsCommand({ NextToken: TOKEN })),
      "InvalidNextTokenException",
    ],
    [
      "Account ListRegions",
      () => new AccountClient(config()).send(new ListRegionsCommand({ NextToken: TOKEN })),
      "ValidationException",
    ],
    [
      "EKS ListClusters",
      () => new EKSClient(config()).send(new ListClustersCommand({ nextToken: TOKEN })),
      "InvalidParameterException",
    ],
    [
      "SNS ListTopics",
      () => new SNSClient(config()).send(new ListTopicsCommand({ NextToken: TOKEN })),
      "InvalidParameterException",
      "InvalidParameter",
    ],
    [
      "ElastiCache DescribeCacheClusters",
      () =>
        new ElastiCacheClient(config()).send(new DescribeCacheClustersCommand({ Marker: TOKEN })),
      "InvalidParameterValueException",
      "InvalidParameterValue",
    ],
    [
      "Auto Scaling DescribeAutoScalingGroups",
      () =>
        new AutoScalingClient(config()).send(
          new DescribeAutoScalingGroupsCommand({ NextToken: TOKEN }),
        ),
      "InvalidNextToken",
      "InvalidNextToken",
    ],
    [
      "API Gateway GetRestApis",
      () => new APIGatewayClient(config()).send(new GetRestApisCommand({ position: TOKEN })),
      "BadRequestException",
    ],
    [
      "Pricing GetProducts",
      () =>
        new PricingClient(config()).send(
          new GetProductsCommand({ ServiceCode: "AmazonEC2", NextToken: TOKEN }),
        ),
      "InvalidNextTokenException",
    ],
  ];

  it.each(cases)("%s is refused with its modeled error", async (_, call, name, queryCode) => {
    const error = await failure(call());
    expect(error.name).toBe(name);
    expect(error.Code).toBe(queryCode);
    expect((error.$metadata as { httpStatusCode?: number }).httpStatusCode).toBe(400);
  });
});
