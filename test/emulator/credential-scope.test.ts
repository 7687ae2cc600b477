import { Agent, request as httpRequest } from "node:http";
import type { LookupFunction } from "node:net";
import { Sha256 } from "@aws-crypto/sha256-js";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { DescribeInstancesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { EKSClient, ListClustersCommand } from "@aws-sdk/client-eks";
import { IAMClient, ListRolesCommand } from "@aws-sdk/client-iam";
import { GetBucketPolicyCommand, S3Client } from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { describe, expect, it } from "vitest";
import { failure, httpStatus, sdkHarness } from "./sdk-harness.js";
import { KEYS, MAIN, testWorld } from "./test-world.js";

const harness = sdkHarness(testWorld, { credentials: KEYS.reader });

// AWS's host names, resolved to the emulator: the SDK connects, signs and sends as it would to AWS.
const toEmulator = ((_host, options, callback) => {
  if (options.all === true) callback(null, [{ address: "127.0.0.1", family: 4 }]);
  else (callback as (e: null, a: string, f: number) => void)(null, "127.0.0.1", 4);
}) as LookupFunction;
const agent = new Agent({ lookup: toEmulator });

const port = () => new URL(harness.url()).port;

/** A client sending to `host` (an AWS endpoint name) with its signature scoped to `region`. */
function config(host: string, region: string) {
  return {
    endpoint: `http://${host}:${port()}`,
    region,
    credentials: KEYS.reader,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpAgent: agent }),
  };
}

const VALID_REGION = (region: string) =>
  `Credential should be scoped to a valid region, not '${region}'. `;

describe("a credential scope that does not fit the endpoint", () => {
  it("STS (Query): SignatureDoesNotMatch 403 naming the scope's region; the endpoint's own region works", async () => {
    const error = await failure(
      new STSClient(config("sts.eu-west-1.amazonaws.com", "us-east-1")).send(
        new GetCallerIdentityCommand({}),
      ),
    );
    expect(error).toMatchObject({
      name: "SignatureDoesNotMatch",
      message: VALID_REGION("us-east-1"),
    });
    expect(httpStatus(error)).toBe(403);
    const identity = await new STSClient(config("sts.eu-west-1.amazonaws.com", "eu-west-1")).send(
      new GetCallerIdentityCommand({}),
    );
    expect(identity.Account).toBe(MAIN);
  });

  it("global endpoints sign for us-east-1: STS's and IAM's work so and refuse another region", async () => {
    const global = await new STSClient(config("sts.amazonaws.com", "us-east-1")).send(
      new GetCallerIdentityCommand({}),
    );
    expect(global.Account).toBe(MAIN);
    const roles = await new IAMClient(config("iam.amazonaws.com", "us-east-1")).send(
      new ListRolesCommand({}),
    );
    expect(Array.isArray(roles.Roles)).toBe(true);
    for (const send of [
      () =>
        new STSClient(config("sts.amazonaws.com", "eu-west-1")).send(
          new GetCallerIdentityCommand({}),
        ),
      () => new IAMClient(config("iam.amazonaws.com", "eu-west-1")).send(new ListRolesCommand({})),
    ]) {
      const error = await failure(send());
      expect(error).toMatchObject({
        name: "SignatureDoesNotMatch",
        message: VALID_REGION("eu-west-1"),
      });
      expect(httpStatus(error)).toBe(403);
    }
  });

  it("JSON (DynamoDB): InvalidSignatureException 400; REST-JSON (EKS): 403; EC2: AuthFailure 401", async () => {
    const dynamodb = await failure(
      new DynamoDBClient(config("dynamodb.eu-west-1.amazonaws.com", "us-east-1")).send(
        new ListTablesCommand({}),
      ),
    );
    expect(dynamodb).toMatchObject({
      name: "InvalidSignatureException",
      message: VALID_REGION("us-east-1"),
    });
    expect(httpStatus(dynamodb)).toBe(400);
    const tables = await new DynamoDBClient(config("dynamodb.eu-west-1.api.aws", "eu-west-1")).send(
      new ListTablesCommand({}),
    );
    expect(Array.isArray(tables.TableNames)).toBe(true);

    const eks = await failure(
      new EKSClient(config("eks.eu-west-1.amazonaws.com", "us-east-1")).send(
        new ListClustersCommand({}),
      ),
    );
    expect(eks).toMatchObject({
      name: "InvalidSignatureException",
      message: VALID_REGION("us-east-1"),
    });
    expect(httpStatus(eks)).toBe(403);

    const ec2 = await failure(
      new EC2Client(config("ec2.eu-west-1.amazonaws.com", "us-east-1")).send(
        new DescribeInstancesCommand({}),
      ),
    );
    expect(ec2).toMatchObject({ name: "AuthFailure" });
    expect(httpStatus(ec2)).toBe(401);
  });

  it("a request signed for another service is answered by the endpoint's service, naming itself", async () => {
    const error = await failure(
      new DynamoDBClient(config("logs.us-east-1.amazonaws.com", "us-east-1")).send(
        new ListTablesCommand({}),
      ),
    );
    expect(error).toMatchObject({
      name: "InvalidSignatureException",
      message: "Credential should be scoped to correct service: 'logs'. ",
    });
    expect(httpStatus(error)).toBe(400);
  });

  it("S3: AuthorizationHeaderMalformed 400 expecting the endpoint's region, which it names", async () => {
    const s3 = (host: string, region: string) =>
      new S3Client({ ...config(host, region), forcePathStyle: true });
    const error = await failure(
      s3("s3.eu-west-1.amazonaws.com", "us-east-1").send(
        new GetBucketPolicyCommand({ Bucket: "main-logs" }),
      ),
    );
    expect(error).toMatchObject({
      name: "AuthorizationHeaderMalformed",
      message:
        "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-west-1'",
      Region: "eu-west-1",
    });
    expect(httpStatus(error)).toBe(400);
    const { Policy } = await s3("s3.us-east-1.amazonaws.com", "us-east-1").send(
      new GetBucketPolicyCommand({ Bucket: "main-logs" }),
    );
    expect(Policy).toContain("logging.s3.amazonaws.com");
  });

  it("S3 presigned: AuthorizationQueryParametersError 400 naming both regions", async () => {
    const host = `s3.eu-west-1.amazonaws.com:${port()}`;
    const signed = await new SignatureV4({
      credentials: KEYS.reader,
      region: "us-east-1",
      service: "s3",
      sha256: Sha256,
      uriEscapePath: false,
    }).presign(
      new HttpRequest({
        method: "GET",
        protocol: "http:",
        hostname: "s3.eu-west-1.amazonaws.com",
        port: Number(port()),
        path: "/main-logs",
        query: { policy: "" },
        headers: { host, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
      }),
      { expiresIn: 60 },
    );
    const query = new URLSearchParams(signed.query as Record<string, string>).toString();
    const { status, body } = await new Promise<{ status: number; body: string }>(
      (resolve, reject) => {
        const req = httpRequest(
          { host: "127.0.0.1", port: port(), path: `/main-logs?${query}`, headers: { host } },
          (res) => {
            let text = "";
            res.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
          },
        );
        req.on("error", reject);
        req.end();
      },
    );
    expect(status).toBe(400);
    expect(body).toContain("<Code>AuthorizationQueryParametersError</Code>");
    // The emulator escapes the apostrophes (&apos;), which XML readers take as the same text.
    expect(body.replaceAll("&apos;", "'")).toContain(
      "<Message>Error parsing the X-Amz-Credential parameter; the region 'us-east-1' is wrong; expecting 'eu-west-1'</Message><Region>eu-west-1</Region>",
    );
  });
});
