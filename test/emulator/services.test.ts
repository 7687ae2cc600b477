import { AccountClient, ListRegionsCommand } from "@aws-sdk/client-account";
import {
  DescribeQueryDefinitionsCommand,
  GetQueryResultsCommand,
  CloudWatchLogsClient,
  StartQueryCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  ECSClient,
  ListClustersCommand,
  ListServicesCommand,
} from "@aws-sdk/client-ecs";
import {
  GetFunctionConfigurationCommand,
  LambdaClient,
  ListFunctionsCommand,
  paginateListFunctions,
} from "@aws-sdk/client-lambda";
import {
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  ListBucketsCommand,
  PutBucketPolicyCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import {
  DeleteSecretCommand,
  ListSecretsCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../emulator/index.js";
import { EXTERNAL_ID, KEYS, MAIN, MEMBER, testWorld } from "./test-world.js";

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ world: testWorld(), knobs: { queryPolls: 2 } });
});
afterAll(async () => {
  await emulator.close();
});

function config(credentials = KEYS.reader, endpoint = emulator.url) {
  return { endpoint, region: "us-east-1", credentials, maxAttempts: 1 };
}

describe("ECS (JSON 1.1)", () => {
  it("lists and describes clusters and services", async () => {
    const ecs = new ECSClient(config());
    const clusterArn = `arn:aws:ecs:us-east-1:${MAIN}:cluster/web`;
    expect((await ecs.send(new ListClustersCommand({}))).clusterArns).toEqual([clusterArn]);
    const described = await ecs.send(new DescribeClustersCommand({ clusters: ["web", "missing"] }));
    expect(described.clusters?.map((c) => c.clusterName)).toEqual(["web"]);
    expect(described.failures).toEqual([
      { arn: `arn:aws:ecs:us-east-1:${MAIN}:cluster/missing`, reason: "MISSING" },
    ]);
    const services = await ecs.send(new ListServicesCommand({ cluster: "web" }));
    expect(services.serviceArns).toEqual([`arn:aws:ecs:us-east-1:${MAIN}:service/web/frontend`]);
    const detail = await ecs.send(
      new DescribeServicesCommand({ cluster: "web", services: ["frontend"] }),
    );
    expect(detail.services?.[0]).toMatchObject({
      serviceName: "frontend",
      desiredCount: 2,
      createdAt: new Date("2025-09-01T10:00:00Z"),
    });
  });

  it("answers an unknown cluster with ClusterNotFoundException", async () => {
    await expect(
      new ECSClient(config()).send(new ListServicesCommand({ cluster: "nope" })),
    ).rejects.toMatchObject({ name: "ClusterNotFoundException" });
  });

  it("denies a user without policies with AccessDeniedException", async () => {
    await expect(
      new ECSClient(config(KEYS.nobody)).send(new ListClustersCommand({})),
    ).rejects.toMatchObject({
      name: "AccessDeniedException",
      message: `User: arn:aws:iam::${MAIN}:user/nobody is not authorized to perform: ecs:ListClusters on resource: * because no identity-based policy allows the ecs:ListClusters action`,
    });
  });
});

describe("S3 (REST-XML)", () => {
  const s3 = (credentials = KEYS.reader, endpoint = emulator.url) =>
    new S3Client({ ...config(credentials, endpoint), forcePathStyle: true });

  it("lists the caller account's buckets with their owner", async () => {
    const result = await s3().send(new ListBucketsCommand({}));
    expect(result.Buckets?.map((b) => [b.Name, b.CreationDate?.toISOString()])).toEqual([
      ["main-assets", "2025-06-01T00:00:00.000Z"],
      ["main-logs", "2025-06-02T00:00:00.000Z"],
    ]);
    expect(result.Owner?.DisplayName).toBe("main");
  });

  it("returns a bucket policy, and NoSuchBucketPolicy for a bucket without one", async () => {
    const { Policy } = await s3().send(new GetBucketPolicyCommand({ Bucket: "main-logs" }));
    expect(JSON.parse(Policy ?? "{}")).toMatchObject({ Statement: [{ Action: "s3:PutObject" }] });
    await expect(
      s3().send(new GetBucketPolicyCommand({ Bucket: "main-assets" })),
    ).rejects.toMatchObject({ name: "NoSuchBucketPolicy", $metadata: { httpStatusCode: 404 } });
    await expect(
      s3().send(new GetBucketPolicyCommand({ Bucket: "nobody-has-this" })),
    ).rejects.toMatchObject({ name: "NoSuchBucket" });
  });

  it("denies PutBucketPolicy to a read-only user and leaves the policy unchanged", async () => {
    const policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "arn:aws:s3:::main-assets" },
      ],
    });
    await expect(
      s3().send(new PutBucketPolicyCommand({ Bucket: "main-assets", Policy: policy })),
    ).rejects.toMatchObject({
      name: "AccessDenied",
      $metadata: { httpStatusCode: 403 },
      message: expect.stringContaining(
        `User: arn:aws:iam::${MAIN}:user/reader is not authorized to perform: s3:PutBucketPolicy on resource: arn:aws:s3:::main-assets`,
      ) as unknown,
    });
    await expect(
      s3().send(new GetBucketPolicyCommand({ Bucket: "main-assets" })),
    ).rejects.toMatchObject({ name: "NoSuchBucketPolicy" });
  });

  it("deletes a bucket's policy for an admin only, and answers 204 when there is none", async () => {
    const own = await startEmulator({ world: testWorld() });
    try {
      await expect(
        s3(KEYS.reader, own.url).send(new DeleteBucketPolicyCommand({ Bucket: "main-logs" })),
      ).rejects.toMatchObject({ name: "AccessDenied", $metadata: { httpStatusCode: 403 } });
      const deleted = await s3(KEYS.admin, own.url).send(
        new DeleteBucketPolicyCommand({ Bucket: "main-logs" }),
      );
      expect(deleted.$metadata.httpStatusCode).toBe(204);
      await expect(
        s3(KEYS.admin, own.url).send(new GetBucketPolicyCommand({ Bucket: "main-logs" })),
      ).rejects.toMatchObject({ name: "NoSuchBucketPolicy" });
      const again = await s3(KEYS.admin, own.url).send(
        new DeleteBucketPolicyCommand({ Bucket: "main-logs" }),
      );
      expect(again.$metadata.httpStatusCode).toBe(204);
    } finally {
      await own.close();
    }
  });

  it("answers 405 to another account's identity a bucket policy lets read or change the policy", async () => {
    const own = await startEmulator({ world: testWorld() });
    try {
      const statement = {
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${MEMBER}:root` },
        Action: ["s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"],
        Resource: "arn:aws:s3:::main-assets",
      };
      const policy = JSON.stringify({ Version: "2012-10-17", Statement: [statement] });
      await s3(KEYS.admin, own.url).send(
        new PutBucketPolicyCommand({ Bucket: "main-assets", Policy: policy }),
      );
      // The member account's read role: ReadOnlyAccess has s3:GetBucketPolicy.
      const { Credentials } = await new STSClient(config(KEYS.assumer, own.url)).send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${MEMBER}:role/switchboard-read`,
          RoleSessionName: "cross-account",
          ExternalId: EXTERNAL_ID,
        }),
      );
      const member = {
        accessKeyId: Credentials?.AccessKeyId ?? "",
        secretAccessKey: Credentials?.SecretAccessKey ?? "",
        sessionToken: Credentials?.SessionToken ?? "",
      };
      const notAllowed = { name: "MethodNotAllowed", $metadata: { httpStatusCode: 405 } };
      await expect(
        s3(member, own.url).send(new GetBucketPolicyCommand({ Bucket: "main-assets" })),
      ).rejects.toMatchObject(notAllowed);
      // Its identity policy does not allow a change: refused by IAM first, 403.
      await expect(
        s3(member, own.url).send(new DeleteBucketPolicyCommand({ Bucket: "main-assets" })),
      ).rejects.toMatchObject({ name: "AccessDenied", $metadata: { httpStatusCode: 403 } });
      const { Policy } = await s3(KEYS.admin, own.url).send(
        new GetBucketPolicyCommand({ Bucket: "main-assets" }),
      );
      expect(Policy).toBe(policy);
    } finally {
      await own.close();
    }
  });

  it("stores a policy written by an admin, which then governs the bucket", async () => {
    // A world of its own: the policy it writes would otherwise stay on main-assets, which the
    // tests above read as a bucket without one.
    const own = await startEmulator({ world: testWorld() });
    try {
      await storesAPolicy(own.url);
    } finally {
      await own.close();
    }
  });

  async function storesAPolicy(endpoint: string): Promise<void> {
    const policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Deny",
          Principal: "*",
          Action: "s3:GetBucketPolicy",
          Resource: "arn:aws:s3:::main-assets",
        },
      ],
    });
    const put = await s3(KEYS.admin, endpoint).send(
      new PutBucketPolicyCommand({ Bucket: "main-assets", Policy: policy }),
    );
    expect(put.$metadata.httpStatusCode).toBe(204);
    await expect(
      s3(KEYS.admin, endpoint).send(new GetBucketPolicyCommand({ Bucket: "main-assets" })),
    ).rejects.toMatchObject({ name: "AccessDenied" });
    await expect(
      s3(KEYS.admin, endpoint).send(
        new PutBucketPolicyCommand({ Bucket: "main-logs", Policy: "not json" }),
      ),
    ).rejects.toMatchObject({ name: "MalformedPolicy" });
  }
});

describe("Lambda (REST-JSON)", () => {
  it("paginates ListFunctions with Marker and NextMarker", async () => {
    const pages: string[][] = [];
    for await (const page of paginateListFunctions(
      { client: new LambdaClient(config()), pageSize: 2 },
      {},
    ))
      pages.push(page.Functions?.map((f) => f.FunctionName ?? "") ?? []);
    expect(pages).toEqual([["alpha", "bravo"], ["charlie", "delta"], ["echo"]]);
    const all = await new LambdaClient(config()).send(new ListFunctionsCommand({}));
    expect(all.Functions).toHaveLength(5);
    expect(all.NextMarker).toBeUndefined();
  });

  it("gets a function's configuration by name or ARN, and 404s an unknown one", async () => {
    const lambda = new LambdaClient(config());
    expect(
      (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "bravo" })))
        .MemorySize,
    ).toBe(256);
    const byArn = await lambda.send(
      new GetFunctionConfigurationCommand({
        FunctionName: `arn:aws:lambda:us-east-1:${MAIN}:function:charlie`,
      }),
    );
    expect(byArn.FunctionName).toBe("charlie");
    await expect(
      lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "zulu" })),
    ).rejects.toMatchObject({
      name: "ResourceNotFoundException",
      $metadata: { httpStatusCode: 404 },
      message: `Function not found: arn:aws:lambda:us-east-1:${MAIN}:function:zulu`,
    });
  });
});

describe("Secrets Manager (JSON 1.1)", () => {
  it("lists secrets, and schedules a deletion that hides the secret from later lists", async () => {
    const readOnly = new SecretsManagerClient(config());
    expect(
      (await readOnly.send(new ListSecretsCommand({}))).SecretList?.map((s) => s.Name),
    ).toEqual(["prod/db", "prod/api"]);
    await expect(
      readOnly.send(new DeleteSecretCommand({ SecretId: "prod/api" })),
    ).rejects.toMatchObject({ name: "AccessDeniedException" });
    const admin = new SecretsManagerClient(config(KEYS.admin));
    const deleted = await admin.send(
      new DeleteSecretCommand({ SecretId: "prod/api", RecoveryWindowInDays: 7 }),
    );
    expect(deleted.Name).toBe("prod/api");
    expect((deleted.DeletionDate?.getTime() ?? 0) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    expect(
      (await readOnly.send(new ListSecretsCommand({}))).SecretList?.map((s) => s.Name),
    ).toEqual(["prod/db"]);
    await expect(
      admin.send(new DeleteSecretCommand({ SecretId: "prod/missing" })),
    ).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });
});

describe("CloudWatch Logs (JSON 1.1)", () => {
  it("describes saved queries and runs a query that is Running for the configured polls, then Complete", async () => {
    const logs = new CloudWatchLogsClient(config());
    const definitions = await logs.send(new DescribeQueryDefinitionsCommand({}));
    expect(definitions.queryDefinitions?.map((d) => d.name)).toEqual(["errors"]);
    const { queryId } = await logs.send(
      new StartQueryCommand({
        logGroupName: "/ecs/web",
        queryString: "fields @message",
        startTime: 0,
        endTime: Math.floor(Date.now() / 1000),
      }),
    );
    const statuses: string[] = [];
    let results: unknown;
    for (;;) {
      const answer = await logs.send(new GetQueryResultsCommand({ queryId }));
      statuses.push(answer.status ?? "");
      results = answer.results;
      if (answer.status === "Complete") break;
    }
    expect(statuses).toEqual(["Running", "Running", "Complete"]);
    expect(results).toEqual([
      [{ field: "@message", value: "boom" }],
      [{ field: "@message", value: "bang" }],
    ]);
  });

  it("refuses a query over a log group that does not exist", async () => {
    await expect(
      new CloudWatchLogsClient(config()).send(
        new StartQueryCommand({
          logGroupName: "/nope",
          queryString: "fields @message",
          startTime: 0,
          endTime: 1,
        }),
      ),
    ).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });
});

describe("Account (REST-JSON)", () => {
  it("lists the world's regions as enabled by default", async () => {
    const { Regions } = await new AccountClient(config()).send(new ListRegionsCommand({}));
    expect(Regions).toEqual([
      { RegionName: "us-east-1", RegionOptStatus: "ENABLED_BY_DEFAULT" },
      { RegionName: "eu-west-1", RegionOptStatus: "ENABLED_BY_DEFAULT" },
    ]);
  });
});
