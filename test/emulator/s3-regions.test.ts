import { GetBucketPolicyCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../emulator/index.js";
import { KEYS, MAIN, testWorld } from "./test-world.js";

let emulator: Emulator;

beforeAll(async () => {
  const world = testWorld();
  const main = world.accounts.find((a) => a.id === MAIN);
  const buckets = main?.resources?.global?.s3?.Buckets;
  if (!Array.isArray(buckets)) throw new Error("the test world has no buckets in its main account");
  buckets.push({
    Name: "main-archive",
    CreationDate: "2025-06-03T00:00:00Z",
    BucketRegion: "eu-west-1",
    Policy: {
      Version: "2012-10-17",
      Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:DeleteBucket", Resource: "*" }],
    },
  });
  emulator = await startEmulator({ world });
});
afterAll(() => emulator.close());

const s3 = (region: string, followRegionRedirects = false) =>
  new S3Client({
    endpoint: emulator.url,
    region,
    credentials: KEYS.reader,
    forcePathStyle: true,
    maxAttempts: 1,
    followRegionRedirects,
  });

describe("S3 bucket regions", () => {
  it("answers a request sent to another region with 301 PermanentRedirect and the bucket's region", async () => {
    const error: unknown = await s3("us-east-1")
      .send(new GetBucketPolicyCommand({ Bucket: "main-archive" }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: "PermanentRedirect",
      $metadata: { httpStatusCode: 301 },
      Bucket: "main-archive",
      Endpoint: "main-archive.s3.eu-west-1.amazonaws.com",
    });
    expect(
      (error as { $response?: { headers: Record<string, string> } }).$response?.headers[
        "x-amz-bucket-region"
      ],
    ).toBe("eu-west-1");
  });

  it("serves the bucket in its own region, and to a client that follows the redirect", async () => {
    const direct = await s3("eu-west-1").send(
      new GetBucketPolicyCommand({ Bucket: "main-archive" }),
    );
    const followed = await s3("us-east-1", true).send(
      new GetBucketPolicyCommand({ Bucket: "main-archive" }),
    );
    expect(JSON.parse(followed.Policy ?? "{}")).toEqual(JSON.parse(direct.Policy ?? ""));
  });

  it("keeps serving a us-east-1 bucket in us-east-1", async () => {
    const { Policy } = await s3("us-east-1").send(
      new GetBucketPolicyCommand({ Bucket: "main-logs" }),
    );
    expect(Policy).toContain("logging.s3.amazonaws.com");
  });
});
