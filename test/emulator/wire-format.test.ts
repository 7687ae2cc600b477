import { request as httpRequest } from "node:http";
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { XMLParser } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../emulator/index.js";
import { send, signedRequest } from "./signed-request.js";
import { KEYS, MAIN, testWorld } from "./test-world.js";

// These tests read raw responses, independent of any SDK's parser, and compare them with the
// shapes in AWS's API references (the documented example responses of each operation).
let emulator: Emulator;
const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  parseTagValue: false,
  isArray: (name) => name === "item",
});

beforeAll(async () => {
  emulator = await startEmulator({ world: testWorld() });
});
afterAll(async () => {
  await emulator.close();
});

function form(body: Record<string, string>): string {
  return new URLSearchParams(body).toString();
}

describe("wire format", () => {
  it("answers STS GetCallerIdentity with the documented Query XML envelope", async () => {
    const response = await send(
      await signedRequest({
        url: emulator.url,
        service: "sts",
        headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
        body: form({ Action: "GetCallerIdentity", Version: "2011-06-15" }),
        credentials: KEYS.reader,
      }),
    );
    expect(response.status).toBe(200);
    const doc = xml.parse(await response.text()) as Record<string, Record<string, unknown>>;
    expect(doc.GetCallerIdentityResponse).toMatchObject({
      "@xmlns": "https://sts.amazonaws.com/doc/2011-06-15/",
      GetCallerIdentityResult: {
        Arn: `arn:aws:iam::${MAIN}:user/reader`,
        Account: MAIN,
        UserId: expect.stringMatching(/^AIDA/) as unknown,
      },
      ResponseMetadata: { RequestId: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown },
    });
  });

  it("answers EC2 DescribeInstances with lower-camel names and item lists", async () => {
    const response = await send(
      await signedRequest({
        url: emulator.url,
        service: "ec2",
        headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
        body: form({
          Action: "DescribeInstances",
          Version: "2016-11-15",
          "InstanceId.1": "i-0000000000000002",
          "Filter.1.Name": "tag:team",
          "Filter.1.Value.1": "payments",
        }),
        credentials: KEYS.reader,
      }),
    );
    const doc = xml.parse(await response.text()) as {
      DescribeInstancesResponse: Record<string, unknown>;
    };
    const body = doc.DescribeInstancesResponse;
    expect(body["@xmlns"]).toBe("http://ec2.amazonaws.com/doc/2016-11-15/");
    expect(body.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const reservation = (body.reservationSet as { item: Record<string, unknown>[] }).item[0];
    expect(reservation).toMatchObject({ reservationId: "r-0000000000000002", ownerId: MAIN });
    const instance = (reservation?.instancesSet as { item: Record<string, unknown>[] }).item[0];
    expect(instance).toMatchObject({
      instanceId: "i-0000000000000002",
      instanceType: "m6i.large",
      instanceState: { code: "16", name: "running" },
      launchTime: "2026-01-01T00:00:00.000Z",
      placement: { availabilityZone: "us-east-1a" },
      tagSet: {
        item: [
          { key: "Name", value: "node-002" },
          { key: "team", value: "payments" },
        ],
      },
    });
  });

  it("answers an EC2 denial with the documented Response/Errors/Error document", async () => {
    const response = await send(
      await signedRequest({
        url: emulator.url,
        service: "ec2",
        headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
        body: form({
          Action: "TerminateInstances",
          Version: "2016-11-15",
          "InstanceId.1": "i-0000000000000003",
        }),
        credentials: KEYS.reader,
      }),
    );
    expect(response.status).toBe(403);
    const doc = xml.parse(await response.text()) as {
      Response: { Errors: { Error: { Code: string; Message: string } }; RequestID: string };
    };
    expect(doc.Response.Errors.Error.Code).toBe("UnauthorizedOperation");
    expect(doc.Response.Errors.Error.Message).toContain(
      "is not authorized to perform: ec2:TerminateInstances on resource:",
    );
    expect(doc.Response.RequestID).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answers S3 ListBuckets with ListAllMyBucketsResult in S3's namespace", async () => {
    const response = await send(
      await signedRequest({
        url: emulator.url,
        service: "s3",
        method: "GET",
        headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
        credentials: KEYS.reader,
      }),
    );
    expect(response.headers.get("x-amz-request-id")).toBeTruthy();
    const doc = xml.parse(await response.text()) as {
      ListAllMyBucketsResult: Record<string, unknown>;
    };
    expect(doc.ListAllMyBucketsResult).toMatchObject({
      "@xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
      Buckets: {
        Bucket: [
          { Name: "main-assets", CreationDate: "2025-06-01T00:00:00.000Z" },
          { Name: "main-logs" },
        ],
      },
      Owner: { DisplayName: "main", ID: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown },
    });
  });

  it("answers a JSON 1.1 denial with __type and message and a REST-JSON one with X-Amzn-ErrorType", async () => {
    const json = await send(
      await signedRequest({
        url: emulator.url,
        service: "ecs",
        headers: {
          "content-type": "application/x-amz-json-1.1",
          "x-amz-target": "AmazonEC2ContainerServiceV20141113.ListClusters",
        },
        body: "{}",
        credentials: KEYS.nobody,
      }),
    );
    expect(json.status).toBe(400);
    expect(json.headers.get("content-type")).toBe("application/x-amz-json-1.1");
    expect(await json.json()).toEqual({
      __type: "AccessDeniedException",
      message: `User: arn:aws:iam::${MAIN}:user/nobody is not authorized to perform: ecs:ListClusters on resource: * because no identity-based policy allows the ecs:ListClusters action`,
    });
    const rest = await send(
      await signedRequest({
        url: emulator.url,
        service: "lambda",
        method: "GET",
        path: "/2015-03-31/functions/zulu/configuration",
        credentials: KEYS.reader,
      }),
    );
    expect(rest.status).toBe(404);
    expect(rest.headers.get("x-amzn-errortype")).toBe("ResourceNotFoundException");
    expect(await rest.json()).toMatchObject({
      Type: "User",
      Message: `Function not found: arn:aws:lambda:us-east-1:${MAIN}:function:zulu`,
    });
  });

  it("answers a JSON 1.1 success with epoch-second timestamps", async () => {
    const response = await send(
      await signedRequest({
        url: emulator.url,
        service: "secretsmanager",
        headers: {
          "content-type": "application/x-amz-json-1.1",
          "x-amz-target": "secretsmanager.ListSecrets",
        },
        body: "{}",
        credentials: KEYS.reader,
      }),
    );
    const body = (await response.json()) as { SecretList: { Name: string; CreatedDate: number }[] };
    expect(body.SecretList[0]).toEqual({
      ARN: `arn:aws:secretsmanager:us-east-1:${MAIN}:secret:prod/db-AbCdEf`,
      Name: "prod/db",
      CreatedDate: 1748736000,
    });
  });

  it("routes by the credential scope, whatever host the request names", async () => {
    const request = await signedRequest({
      url: emulator.url,
      service: "sts",
      region: "eu-west-1",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form({ Action: "GetCallerIdentity", Version: "2011-06-15" }),
      credentials: KEYS.reader,
    });
    expect((await send(request)).status).toBe(200);
  });

  it("refuses unsigned calls with the service's missing-authentication error", async () => {
    const response = await fetch(emulator.url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form({ Action: "GetCallerIdentity", Version: "2011-06-15" }),
    });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain("<Code>MissingAuthenticationToken</Code>");
  });

  it("serves virtual-hosted S3 requests, with the bucket in the Host header", async () => {
    const port = new URL(emulator.url).port;
    const signed = await signedRequest({
      url: `http://main-logs.localhost:${port}`,
      service: "s3",
      method: "GET",
      path: "/",
      query: { policy: "" },
      headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
      credentials: KEYS.reader,
    });
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        { host: "127.0.0.1", port, method: "GET", path: "/?policy", headers: signed.headers },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => (body += chunk));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ Statement: [{ Action: "s3:PutObject" }] });
  });

  it("decodes an aws-chunked body sent with a streaming payload hash", async () => {
    const policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${MAIN}:root` },
          Action: "s3:GetObject",
          Resource: "arn:aws:s3:::main-assets/*",
        },
      ],
    });
    const chunked = `${Buffer.byteLength(policy).toString(16)}\r\n${policy}\r\n0\r\n\r\n`;
    const put = await send(
      await signedRequest({
        url: emulator.url,
        service: "s3",
        method: "PUT",
        path: "/main-assets",
        query: { policy: "" },
        headers: {
          "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
          "content-encoding": "aws-chunked",
          "x-amz-decoded-content-length": String(Buffer.byteLength(policy)),
        },
        body: chunked,
        credentials: KEYS.admin,
      }),
    );
    expect(put.status).toBe(204);
    const get = await send(
      await signedRequest({
        url: emulator.url,
        service: "s3",
        method: "GET",
        path: "/main-assets",
        query: { policy: "" },
        headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
        credentials: KEYS.admin,
      }),
    );
    expect(await get.text()).toBe(policy);
  });

  it("refuses an S3 body that does not match its signed x-amz-content-sha256", async () => {
    const request = await signedRequest({
      url: emulator.url,
      service: "s3",
      method: "PUT",
      path: "/main-assets",
      query: { policy: "" },
      body: "{}",
      credentials: KEYS.admin,
    });
    const response = await send(request, '{"Statement":[]}');
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("<Code>XAmzContentSHA256Mismatch</Code>");
  });

  it("accepts presigned URLs within their expiry and refuses them after", async () => {
    const url = new URL(emulator.url);
    const presign = async (
      service: string,
      path: string,
      query: Record<string, string>,
      expiresIn: number,
      signingDate?: Date,
    ) => {
      const signer = new SignatureV4({
        credentials: KEYS.reader,
        region: "us-east-1",
        service,
        sha256: Sha256,
        uriEscapePath: service !== "s3",
      });
      const signed = await signer.presign(
        new HttpRequest({
          method: "GET",
          protocol: "http:",
          hostname: url.hostname,
          port: Number(url.port),
          path,
          query,
          headers: {
            host: url.host,
            ...(service === "s3" ? { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" } : {}),
          },
        }),
        { expiresIn, ...(signingDate !== undefined ? { signingDate } : {}) },
      );
      return `${emulator.url}${signed.path}?${new URLSearchParams(signed.query as Record<string, string>).toString()}`;
    };
    const identity = await fetch(
      await presign("sts", "/", { Action: "GetCallerIdentity", Version: "2011-06-15" }, 60),
    );
    expect(identity.status).toBe(200);
    expect(await identity.text()).toContain(`<Arn>arn:aws:iam::${MAIN}:user/reader</Arn>`);
    const policy = await fetch(await presign("s3", "/main-logs", { policy: "" }, 60));
    expect(policy.status).toBe(200);
    const expired = await fetch(
      await presign("s3", "/main-logs", { policy: "" }, 60, new Date(Date.now() - 120_000)),
    );
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain("<Message>Request has expired</Message>");
    const tampered = (await presign("s3", "/main-logs", { policy: "" }, 60)).replace(
      "/main-logs",
      "/main-assets",
    );
    expect((await fetch(tampered)).status).toBe(403);
  });
});
