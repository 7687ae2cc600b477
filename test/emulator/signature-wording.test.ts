import { createHash } from "node:crypto";
import {
  CloudWatchLogsClient,
  DescribeQueryDefinitionsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { DescribeRegionsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { ECSClient, ListClustersCommand } from "@aws-sdk/client-ecs";
import { IAMClient, ListRolesCommand } from "@aws-sdk/client-iam";
import { LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { ListSecretsCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { XMLParser } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../emulator/index.js";
import { send, signedRequest } from "./signed-request.js";
import { KEYS, testWorld } from "./test-world.js";

// A known access key signed with the wrong secret: each service family words the refusal its own way.
const WRONG = { ...KEYS.reader, secretAccessKey: "wrong-secret-0000000000000000000000000" };
const QUERY_MESSAGE =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ world: testWorld() });
});
afterAll(async () => {
  await emulator.close();
});

function config() {
  return { endpoint: emulator.url, region: "us-east-1", credentials: WRONG, maxAttempts: 1 };
}

async function failure(call: Promise<unknown>): Promise<Record<string, unknown>> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (typeof error !== "object" || error === null) throw new Error("the call succeeded");
  return error as Record<string, unknown>;
}

describe("a wrong signature, in each service family's words", () => {
  it("S3 (REST-XML) answers SignatureDoesNotMatch in S3's wording, with what it computed as XML elements", async () => {
    const error = await failure(
      new S3Client({ ...config(), forcePathStyle: true }).send(new ListBucketsCommand({})),
    );
    expect(error).toMatchObject({
      name: "SignatureDoesNotMatch",
      message:
        "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
      $metadata: { httpStatusCode: 403 },
    });

    const request = await signedRequest({
      url: emulator.url,
      service: "s3",
      method: "GET",
      credentials: WRONG,
    });
    const response = await send(request);
    const { Error: body } = new XMLParser({ parseTagValue: false, htmlEntities: true }).parse(
      await response.text(),
    ) as {
      Error: Record<string, string>;
    };
    const sent = /Signature=([0-9a-f]{64})/.exec(String(request.headers.authorization))?.[1];
    expect(body).toMatchObject({
      Code: "SignatureDoesNotMatch",
      AWSAccessKeyId: KEYS.reader.accessKeyId,
      SignatureProvided: sent,
    });
    const canonical = body.CanonicalRequest ?? "";
    const toSign = body.StringToSign ?? "";
    expect(canonical.startsWith("GET\n/\n")).toBe(true);
    expect(toSign.split("\n")).toEqual([
      "AWS4-HMAC-SHA256",
      request.headers["x-amz-date"],
      expect.stringMatching(/^\d{8}\/us-east-1\/s3\/aws4_request$/) as unknown,
      createHash("sha256").update(canonical).digest("hex"),
    ]);
    expect(body.StringToSignBytes).toBe(
      [...Buffer.from(toSign)].map((b) => b.toString(16).padStart(2, "0")).join(" "),
    );
    expect(body.CanonicalRequestBytes?.split(" ")).toHaveLength(Buffer.byteLength(canonical));
  });

  it.each([
    ["STS", () => new STSClient(config()).send(new GetCallerIdentityCommand({}))],
    ["IAM", () => new IAMClient(config()).send(new ListRolesCommand({}))],
  ])(
    "%s (AWS Query) answers SignatureDoesNotMatch with the Query services' wording",
    async (_, call) => {
      expect(await failure(call())).toMatchObject({
        name: "SignatureDoesNotMatch",
        message: QUERY_MESSAGE,
        $metadata: { httpStatusCode: 403 },
      });
    },
  );

  it("EC2 (EC2 Query) answers AuthFailure, not a signature error", async () => {
    expect(
      await failure(new EC2Client(config()).send(new DescribeRegionsCommand({}))),
    ).toMatchObject({
      name: "AuthFailure",
      message: "AWS was not able to validate the provided access credentials",
      $metadata: { httpStatusCode: 401 },
    });
  });

  it.each([
    [
      "CloudWatch Logs",
      "logs",
      () => new CloudWatchLogsClient(config()).send(new DescribeQueryDefinitionsCommand({})),
    ],
    [
      "Secrets Manager",
      "secretsmanager",
      () => new SecretsManagerClient(config()).send(new ListSecretsCommand({})),
    ],
    ["ECS", "ecs", () => new ECSClient(config()).send(new ListClustersCommand({}))],
  ])(
    "%s (JSON) answers InvalidSignatureException (400) with the canonical string and string to sign it expected",
    async (_, service, call) => {
      const error = await failure(call());
      expect(error).toMatchObject({
        name: "InvalidSignatureException",
        $metadata: { httpStatusCode: 400 },
      });
      expect(error.message).toMatch(
        new RegExp(
          `^${QUERY_MESSAGE.replace(/[.]/g, "\\.")}\\n\\nThe Canonical String for this request should have been\\n'POST\\n/\\n\\n[^]*'\\n\\nThe String-to-Sign should have been\\n'AWS4-HMAC-SHA256\\n\\d{8}T\\d{6}Z\\n\\d{8}/us-east-1/${service}/aws4_request\\n[0-9a-f]{64}'\\n$`,
        ),
      );
    },
  );

  it("Lambda (REST-JSON) answers InvalidSignatureException (403) with the canonical string of its path", async () => {
    const error = await failure(new LambdaClient(config()).send(new ListFunctionsCommand({})));
    expect(error).toMatchObject({
      name: "InvalidSignatureException",
      $metadata: { httpStatusCode: 403 },
    });
    expect(error.message).toContain(
      `${QUERY_MESSAGE}\n\nThe Canonical String for this request should have been\n'GET\n/2015-03-31/functions\n`,
    );
    expect(error.message).toMatch(/The String-to-Sign should have been\n'AWS4-HMAC-SHA256\n/);
  });
});
