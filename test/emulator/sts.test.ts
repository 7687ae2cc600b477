import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { DescribeInstancesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../emulator/index.js";
import { send, signedRequest } from "./signed-request.js";
import { EXTERNAL_ID, KEYS, MAIN, MEMBER, testWorld } from "./test-world.js";

let emulator: Emulator;
let clockOffsetMs = 0;

beforeAll(async () => {
  emulator = await startEmulator({
    world: testWorld(),
    now: () => new Date(Date.now() + clockOffsetMs),
  });
});
afterAll(async () => {
  await emulator.close();
});

function sts(
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  extra: object = {},
) {
  return new STSClient({
    endpoint: emulator.url,
    region: "us-east-1",
    credentials,
    maxAttempts: 1,
    ...extra,
  });
}

const readerRole = `arn:aws:iam::${MEMBER}:role/switchboard-read`;

describe("SigV4 verification", () => {
  it("answers GetCallerIdentity for a user's correctly signed request", async () => {
    const identity = await sts(KEYS.reader).send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe(MAIN);
    expect(identity.Arn).toBe(`arn:aws:iam::${MAIN}:user/reader`);
    expect(identity.UserId).toMatch(/^AIDA[A-Z0-9]{17}$/);
  });

  it("refuses an unknown access key with InvalidClientTokenId", async () => {
    const error = await sts({
      accessKeyId: "AKIANOTINTHEWORLD001",
      secretAccessKey: "x".repeat(40),
    })
      .send(new GetCallerIdentityCommand({}))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: "InvalidClientTokenId",
      $metadata: { httpStatusCode: 403 },
    });
  });

  it("refuses a request signed with the wrong secret key with SignatureDoesNotMatch", async () => {
    const error = await sts({
      ...KEYS.reader,
      secretAccessKey: "wrong-secret-0000000000000000000000000",
    })
      .send(new GetCallerIdentityCommand({}))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: "SignatureDoesNotMatch",
      $metadata: { httpStatusCode: 403 },
    });
  });

  it("refuses a body changed after signing with SignatureDoesNotMatch", async () => {
    const request = await signedRequest({
      url: emulator.url,
      service: "sts",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "Action=GetCallerIdentity&Version=2011-06-15",
      credentials: KEYS.reader,
    });
    const genuine = await send(request);
    expect(genuine.status).toBe(200);
    const tampered = await send(request, "Action=GetCallerIdentity&Version=2011-06-15&X=1");
    expect(tampered.status).toBe(403);
    expect(await tampered.text()).toContain("<Code>SignatureDoesNotMatch</Code>");
  });

  it("refuses a changed body when the payload hash is not sent, as the SDKs sign non-S3 calls", async () => {
    const request = await signedRequest({
      url: emulator.url,
      service: "sts",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "Action=GetCallerIdentity&Version=2011-06-15",
      credentials: KEYS.reader,
      applyChecksum: false,
    });
    expect(request.headers["x-amz-content-sha256"]).toBeUndefined();
    expect((await send(request)).status).toBe(200);
    const tampered = await send(request, "Action=GetCallerIdentity&Version=2011-06-16");
    expect(tampered.status).toBe(403);
    expect(await tampered.text()).toContain("<Code>SignatureDoesNotMatch</Code>");
  });

  it("refuses a request signed more than 15 minutes ago as AWS does", async () => {
    const request = await signedRequest({
      url: emulator.url,
      service: "sts",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "Action=GetCallerIdentity&Version=2011-06-15",
      credentials: KEYS.reader,
      signingDate: new Date(Date.now() - 16 * 60_000),
    });
    const response = await send(request);
    const body = await response.text();
    expect(response.status).toBe(403);
    expect(body).toContain("<Code>SignatureDoesNotMatch</Code>");
    expect(body).toMatch(/Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z/);
  });

  it("sends the Date header an SDK whose clock is 20 minutes off corrects itself from", async () => {
    const skewed = sts(KEYS.reader, { systemClockOffset: -20 * 60_000 });
    await expect(skewed.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: "SignatureDoesNotMatch",
    });
    expect(Math.abs(skewed.config.systemClockOffset)).toBeLessThan(5_000);
    await expect(skewed.send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({
      Account: MAIN,
    });
  });

  it("refuses a skewed S3 request with RequestTimeTooSkewed", async () => {
    const request = await signedRequest({
      url: emulator.url,
      service: "s3",
      method: "GET",
      headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
      credentials: KEYS.reader,
      signingDate: new Date(Date.now() + 20 * 60_000),
    });
    const response = await send(request);
    expect(response.status).toBe(403);
    expect(await response.text()).toContain("<Code>RequestTimeTooSkewed</Code>");
  });

  it("accepts S3 requests whose payload is signed, unsigned or streamed", async () => {
    const buckets = await new S3Client({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials: KEYS.reader,
      forcePathStyle: true,
    }).send(new ListBucketsCommand({}));
    expect(buckets.Buckets?.map((b) => b.Name)).toEqual(["main-assets", "main-logs"]);
    const unsigned = await send(
      await signedRequest({
        url: emulator.url,
        service: "s3",
        method: "GET",
        headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
        credentials: KEYS.reader,
      }),
    );
    expect(unsigned.status).toBe(200);
  });
});

describe("AssumeRole", () => {
  it("issues a session in the role's account when the trust policy's ExternalId matches", async () => {
    const assumed = await sts(KEYS.assumer).send(
      new AssumeRoleCommand({
        RoleArn: readerRole,
        RoleSessionName: "alice@run-42",
        ExternalId: EXTERNAL_ID,
      }),
    );
    expect(assumed.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(assumed.AssumedRoleUser?.Arn).toBe(
      `arn:aws:sts::${MEMBER}:assumed-role/switchboard-read/alice@run-42`,
    );
    const expiresInMs = (assumed.Credentials?.Expiration?.getTime() ?? 0) - Date.now();
    expect(expiresInMs).toBeGreaterThan(3500_000);
    expect(expiresInMs).toBeLessThanOrEqual(3600_000);
    const identity = await sts({
      accessKeyId: assumed.Credentials?.AccessKeyId ?? "",
      secretAccessKey: assumed.Credentials?.SecretAccessKey ?? "",
      sessionToken: assumed.Credentials?.SessionToken ?? "",
    }).send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe(MEMBER);
    expect(identity.Arn).toBe(`arn:aws:sts::${MEMBER}:assumed-role/switchboard-read/alice@run-42`);
  });

  it("refuses a wrong sts:ExternalId with AccessDenied in AWS's wording", async () => {
    const error = await sts(KEYS.assumer)
      .send(
        new AssumeRoleCommand({
          RoleArn: readerRole,
          RoleSessionName: "alice",
          ExternalId: "guessed",
        }),
      )
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: "AccessDenied",
      message: `User: arn:aws:iam::${MAIN}:user/assumer is not authorized to perform: sts:AssumeRole on resource: ${readerRole}`,
    });
  });

  it("refuses a missing ExternalId, and a caller whose own policies do not allow sts:AssumeRole", async () => {
    await expect(
      sts(KEYS.assumer).send(
        new AssumeRoleCommand({ RoleArn: readerRole, RoleSessionName: "alice" }),
      ),
    ).rejects.toMatchObject({ name: "AccessDenied" });
    await expect(
      sts(KEYS.nobody).send(
        new AssumeRoleCommand({
          RoleArn: readerRole,
          RoleSessionName: "alice",
          ExternalId: EXTERNAL_ID,
        }),
      ),
    ).rejects.toMatchObject({ name: "AccessDenied" });
  });

  it("validates RoleSessionName against AWS's pattern and length", async () => {
    await expect(
      sts(KEYS.assumer).send(
        new AssumeRoleCommand({
          RoleArn: readerRole,
          RoleSessionName: "has space",
          ExternalId: EXTERNAL_ID,
        }),
      ),
    ).rejects.toMatchObject({
      name: "ValidationError",
      message: expect.stringContaining(
        "Member must satisfy regular expression pattern: [\\w+=,.@-]*",
      ) as unknown,
    });
    await expect(
      sts(KEYS.assumer).send(
        new AssumeRoleCommand({
          RoleArn: readerRole,
          RoleSessionName: "a".repeat(65),
          ExternalId: EXTERNAL_ID,
        }),
      ),
    ).rejects.toMatchObject({
      name: "ValidationError",
      message: expect.stringContaining("length less than or equal to 64") as unknown,
    });
  });

  it("keeps DurationSeconds between 900 and the role's maximum", async () => {
    const call = (DurationSeconds: number) =>
      sts(KEYS.assumer).send(
        new AssumeRoleCommand({
          RoleArn: readerRole,
          RoleSessionName: "alice",
          ExternalId: EXTERNAL_ID,
          DurationSeconds,
        }),
      );
    await expect(call(899)).rejects.toMatchObject({ name: "ValidationError" });
    await expect(call(7201)).rejects.toMatchObject({
      name: "ValidationError",
      message: "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    });
    const ok = await call(7200);
    expect((ok.Credentials?.Expiration?.getTime() ?? 0) - Date.now()).toBeGreaterThan(7100_000);
  });

  it("caps role chaining at one hour", async () => {
    const first = await sts(KEYS.assumer).send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${MAIN}:role/chain-start`,
        RoleSessionName: "hop-1",
      }),
    );
    const chained = sts({
      accessKeyId: first.Credentials?.AccessKeyId ?? "",
      secretAccessKey: first.Credentials?.SecretAccessKey ?? "",
      sessionToken: first.Credentials?.SessionToken ?? "",
    });
    await expect(
      chained.send(
        new AssumeRoleCommand({
          RoleArn: readerRole,
          RoleSessionName: "hop-2",
          ExternalId: EXTERNAL_ID,
          DurationSeconds: 7200,
        }),
      ),
    ).rejects.toMatchObject({
      name: "ValidationError",
      message:
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    });
    const hop = await chained.send(
      new AssumeRoleCommand({
        RoleArn: readerRole,
        RoleSessionName: "hop-2",
        ExternalId: EXTERNAL_ID,
      }),
    );
    expect(hop.AssumedRoleUser?.Arn).toContain("assumed-role/switchboard-read/hop-2");
  });

  it("intersects the role's policies with a session policy, which can remove a permission", async () => {
    const assumed = await sts(KEYS.assumer).send(
      new AssumeRoleCommand({
        RoleArn: readerRole,
        RoleSessionName: "s3-only",
        ExternalId: EXTERNAL_ID,
        Policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "s3:List*", Resource: "*" }],
        }),
      }),
    );
    const credentials = {
      accessKeyId: assumed.Credentials?.AccessKeyId ?? "",
      secretAccessKey: assumed.Credentials?.SecretAccessKey ?? "",
      sessionToken: assumed.Credentials?.SessionToken ?? "",
    };
    const ec2 = new EC2Client({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials,
      maxAttempts: 1,
    });
    await expect(ec2.send(new DescribeInstancesCommand({}))).rejects.toMatchObject({
      name: "UnauthorizedOperation",
      message: expect.stringContaining(
        "because no session policy allows the ec2:DescribeInstances action",
      ) as unknown,
    });
    const s3 = new S3Client({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials,
      forcePathStyle: true,
      maxAttempts: 1,
    });
    await expect(s3.send(new ListBucketsCommand({}))).resolves.toMatchObject({
      $metadata: { httpStatusCode: 200 },
    });
  });

  it("turns PolicyArns into session policies resolved to AWS's managed documents", async () => {
    const assumed = await sts(KEYS.assumer).send(
      new AssumeRoleCommand({
        RoleArn: readerRole,
        RoleSessionName: "managed-session",
        ExternalId: EXTERNAL_ID,
        PolicyArns: [{ arn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" }],
      }),
    );
    const credentials = {
      accessKeyId: assumed.Credentials?.AccessKeyId ?? "",
      secretAccessKey: assumed.Credentials?.SecretAccessKey ?? "",
      sessionToken: assumed.Credentials?.SessionToken ?? "",
    };
    const ec2 = new EC2Client({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials,
      maxAttempts: 1,
    });
    await expect(ec2.send(new DescribeInstancesCommand({}))).rejects.toMatchObject({
      name: "UnauthorizedOperation",
    });
    const s3 = new S3Client({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials,
      forcePathStyle: true,
      maxAttempts: 1,
    });
    await expect(s3.send(new ListBucketsCommand({}))).resolves.toMatchObject({
      $metadata: { httpStatusCode: 200 },
    });
    await expect(
      sts(KEYS.assumer).send(
        new AssumeRoleCommand({
          RoleArn: readerRole,
          RoleSessionName: "x1",
          ExternalId: EXTERNAL_ID,
          PolicyArns: [{ arn: "arn:aws:iam::aws:policy/NoSuchPolicy" }],
        }),
      ),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } });
  });

  it("refuses a session's credentials once the session has expired, with ExpiredToken", async () => {
    const assumed = await sts(KEYS.assumer).send(
      new AssumeRoleCommand({
        RoleArn: readerRole,
        RoleSessionName: "short",
        ExternalId: EXTERNAL_ID,
        DurationSeconds: 900,
      }),
    );
    const credentials = {
      accessKeyId: assumed.Credentials?.AccessKeyId ?? "",
      secretAccessKey: assumed.Credentials?.SecretAccessKey ?? "",
      sessionToken: assumed.Credentials?.SessionToken ?? "",
    };
    clockOffsetMs = 901_000;
    try {
      // The client's clock moves with the emulator's, so only the session's expiry is at stake.
      const error = await sts(credentials, { systemClockOffset: clockOffsetMs })
        .send(new GetCallerIdentityCommand({}))
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ name: "ExpiredToken" });
    } finally {
      clockOffsetMs = 0;
    }
    await expect(sts(credentials).send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({
      Account: MEMBER,
    });
  });

  it("refuses a session's access key sent with another session token", async () => {
    const assumed = await sts(KEYS.assumer).send(
      new AssumeRoleCommand({
        RoleArn: readerRole,
        RoleSessionName: "tok",
        ExternalId: EXTERNAL_ID,
      }),
    );
    const error = await sts({
      accessKeyId: assumed.Credentials?.AccessKeyId ?? "",
      secretAccessKey: assumed.Credentials?.SecretAccessKey ?? "",
      sessionToken: "forged",
    })
      .send(new GetCallerIdentityCommand({}))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "InvalidClientTokenId" });
  });
});
