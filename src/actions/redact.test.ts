import { PassThrough, Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { REDACTED, redact } from "./redact.js";

describe("redact", () => {
  it("masks secret values wherever they are, keeps metadata", () => {
    const output = redact({
      SecretList: [{ Name: "db", ARN: "arn:…" }],
      SecretString: "hunter2",
      Credentials: { AccessKeyId: "ASIA1", SecretAccessKey: "s3cr3t", SessionToken: "tok" },
      DBInstances: [{ MasterUsername: "admin", MasterUserPassword: "pw" }],
      Environment: { Variables: { DB_URL: "postgres://u:p@h/db", MODE: "prod" } },
      Nested: [{ deep: { PrivateKey: "-----BEGIN" } }],
      Body: new Uint8Array([1, 2, 3]),
      When: new Date("2026-01-01T00:00:00Z"),
    });
    expect(output).toEqual({
      SecretList: [{ Name: "db", ARN: "arn:…" }],
      SecretString: REDACTED,
      Credentials: { AccessKeyId: "ASIA1", SecretAccessKey: REDACTED, SessionToken: REDACTED },
      DBInstances: [{ MasterUsername: "admin", MasterUserPassword: REDACTED }],
      Environment: { Variables: { DB_URL: REDACTED, MODE: REDACTED } },
      Nested: [{ deep: { PrivateKey: REDACTED } }],
      Body: "[3 bytes]",
      When: "2026-01-01T00:00:00.000Z",
    });
    expect(JSON.stringify(output)).not.toMatch(/hunter2|s3cr3t|tok"|postgres:/);
  });

  it("masks the values of ECS container environment variables, keeps their names and secret references", () => {
    // ecs:DescribeTaskDefinition
    const output = redact({
      taskDefinition: {
        taskDefinitionArn: "arn:aws:ecs:eu-west-1:111122223333:task-definition/api:7",
        family: "api",
        revision: 7,
        containerDefinitions: [
          {
            name: "api",
            image: "111122223333.dkr.ecr.eu-west-1.amazonaws.com/api:1.4.2",
            cpu: 256,
            essential: true,
            portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: "tcp" }],
            environment: [
              { name: "DATABASE_URL", value: "postgres://api:Tr0ub4dor@db.internal/api" },
              { name: "STRIPE_KEY", value: "sk_live_51Habc" },
              { name: "LOG_LEVEL", value: "info" },
            ],
            secrets: [
              {
                name: "JWT_SIGNING_KEY",
                valueFrom: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:jwt-AbCdEf",
              },
            ],
            environmentFiles: [{ value: "arn:aws:s3:::configs/api.env", type: "s3" }],
          },
        ],
        status: "ACTIVE",
      },
      tags: [{ key: "team", value: "payments" }],
    }) as { taskDefinition: { containerDefinitions: Record<string, unknown>[] } };
    const [container] = output.taskDefinition.containerDefinitions;
    expect(container?.environment).toEqual([
      { name: "DATABASE_URL", value: REDACTED },
      { name: "STRIPE_KEY", value: REDACTED },
      { name: "LOG_LEVEL", value: REDACTED },
    ]);
    expect(container?.secrets).toEqual([
      {
        name: "JWT_SIGNING_KEY",
        valueFrom: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:jwt-AbCdEf",
      },
    ]);
    expect(container?.environmentFiles).toEqual([
      { value: "arn:aws:s3:::configs/api.env", type: "s3" },
    ]);
    expect(container?.image).toBe("111122223333.dkr.ecr.eu-west-1.amazonaws.com/api:1.4.2");
    expect(JSON.stringify(output)).not.toMatch(/Tr0ub4dor|sk_live/);
    expect(JSON.stringify(output)).toContain('"key":"team","value":"payments"');
  });

  it("masks the environment of ECS RunTask container overrides in the stored input", () => {
    const input = redact({
      cluster: "prod",
      taskDefinition: "migrate:3",
      overrides: {
        containerOverrides: [
          { name: "migrate", environment: [{ name: "ADMIN_PASSWORD_ONCE", value: "p@ss-1" }] },
        ],
      },
    });
    expect(input).toEqual({
      cluster: "prod",
      taskDefinition: "migrate:3",
      overrides: {
        containerOverrides: [
          { name: "migrate", environment: [{ name: "ADMIN_PASSWORD_ONCE", value: REDACTED }] },
        ],
      },
    });
  });

  it("masks CodeBuild plaintext variables, keeps Parameter Store and Secrets Manager references", () => {
    // codebuild:BatchGetProjects
    const output = redact({
      projects: [
        {
          name: "web",
          environment: {
            type: "LINUX_CONTAINER",
            image: "aws/codebuild/standard:7.0",
            computeType: "BUILD_GENERAL1_SMALL",
            environmentVariables: [
              { name: "NPM_TOKEN", value: "npm_abc123", type: "PLAINTEXT" },
              { name: "DB_PASSWORD", value: "/prod/db/password", type: "PARAMETER_STORE" },
              { name: "API_KEY", value: "prod/api:key", type: "SECRETS_MANAGER" },
            ],
          },
        },
      ],
    });
    expect(output).toEqual({
      projects: [
        {
          name: "web",
          environment: {
            type: "LINUX_CONTAINER",
            image: "aws/codebuild/standard:7.0",
            computeType: "BUILD_GENERAL1_SMALL",
            environmentVariables: [
              { name: "NPM_TOKEN", value: REDACTED, type: "PLAINTEXT" },
              { name: "DB_PASSWORD", value: "/prod/db/password", type: "PARAMETER_STORE" },
              { name: "API_KEY", value: "prod/api:key", type: "SECRETS_MANAGER" },
            ],
          },
        },
      ],
    });
  });

  it("masks environment variables kept as maps (Amplify) and as Elastic Beanstalk option settings", () => {
    const output = redact({
      app: { name: "site", environmentVariables: { NEXT_PUBLIC_X: "1", CMS_TOKEN: "cms_live" } },
      OptionSettings: [
        {
          Namespace: "aws:elasticbeanstalk:application:environment",
          OptionName: "DB_PASS",
          Value: "eb-s3cret",
        },
        { Namespace: "aws:autoscaling:asg", OptionName: "MaxSize", Value: "4" },
      ],
    });
    expect(output).toEqual({
      app: { name: "site", environmentVariables: { NEXT_PUBLIC_X: REDACTED, CMS_TOKEN: REDACTED } },
      OptionSettings: [
        {
          Namespace: "aws:elasticbeanstalk:application:environment",
          OptionName: "DB_PASS",
          Value: REDACTED,
        },
        { Namespace: "aws:autoscaling:asg", OptionName: "MaxSize", Value: "4" },
      ],
    });
  });

  it("masks EC2 user data whole: launch template data, instance attribute, RunInstances input", () => {
    const script = Buffer.from("#!/bin/bash\nexport DB_PASSWORD=hunter2\n").toString("base64");
    // ec2:DescribeLaunchTemplateVersions
    const versions = redact({
      LaunchTemplateVersions: [
        {
          LaunchTemplateId: "lt-0abcd1234efgh5678",
          LaunchTemplateName: "web",
          VersionNumber: 3,
          DefaultVersion: true,
          LaunchTemplateData: {
            ImageId: "ami-0123456789abcdef0",
            InstanceType: "t3.micro",
            UserData: script,
          },
        },
      ],
    });
    expect(versions).toEqual({
      LaunchTemplateVersions: [
        {
          LaunchTemplateId: "lt-0abcd1234efgh5678",
          LaunchTemplateName: "web",
          VersionNumber: 3,
          DefaultVersion: true,
          LaunchTemplateData: {
            ImageId: "ami-0123456789abcdef0",
            InstanceType: "t3.micro",
            UserData: REDACTED,
          },
        },
      ],
    });
    // ec2:DescribeInstanceAttribute (Attribute userData)
    expect(redact({ InstanceId: "i-0abc", UserData: { Value: script } })).toEqual({
      InstanceId: "i-0abc",
      UserData: REDACTED,
    });
    expect(redact({ ImageId: "ami-1", MinCount: 1, MaxCount: 1, UserData: script })).toEqual({
      ImageId: "ami-1",
      MinCount: 1,
      MaxCount: 1,
      UserData: REDACTED,
    });
  });

  it("masks ECR, ECS ExecuteCommand and Cognito tokens, keeps pagination and idempotency tokens", () => {
    // ecr:GetAuthorizationToken
    expect(
      redact({
        authorizationData: [
          {
            authorizationToken: "QVdTOmV5SndZWGxzYjJGa0lqb2lZ",
            expiresAt: new Date("2026-03-01T12:00:00Z"),
            proxyEndpoint: "https://111122223333.dkr.ecr.eu-west-1.amazonaws.com",
          },
        ],
      }),
    ).toEqual({
      authorizationData: [
        {
          authorizationToken: REDACTED,
          expiresAt: "2026-03-01T12:00:00.000Z",
          proxyEndpoint: "https://111122223333.dkr.ecr.eu-west-1.amazonaws.com",
        },
      ],
    });
    // ecs:ExecuteCommand
    expect(
      redact({
        clusterArn: "arn:aws:ecs:eu-west-1:111122223333:cluster/prod",
        containerName: "api",
        interactive: true,
        session: {
          sessionId: "ecs-execute-command-0a1b2c3d4e5f",
          streamUrl: "wss://ssmmessages.eu-west-1.amazonaws.com/v1/data-channel/ecs-execute",
          tokenValue: "AAEAAYk8Vb0…",
        },
        taskArn: "arn:aws:ecs:eu-west-1:111122223333:task/prod/0f1e2d3c",
      }),
    ).toMatchObject({
      containerName: "api",
      session: { sessionId: "ecs-execute-command-0a1b2c3d4e5f", tokenValue: REDACTED },
    });
    // cognito-idp:InitiateAuth
    expect(
      redact({
        AuthenticationResult: {
          AccessToken: "eyJ.a",
          IdToken: "eyJ.i",
          RefreshToken: "eyJ.r",
          ExpiresIn: 3600,
          TokenType: "Bearer",
        },
      }),
    ).toEqual({
      AuthenticationResult: {
        AccessToken: REDACTED,
        IdToken: REDACTED,
        RefreshToken: REDACTED,
        ExpiresIn: 3600,
        TokenType: "Bearer",
      },
    });
    // Pagination, idempotency and sequence tokens are no secrets, and the user needs them.
    // s3:ListObjectsV2
    const listed = {
      Name: "logs",
      Prefix: "2026/",
      KeyCount: 1,
      MaxKeys: 1,
      IsTruncated: true,
      Contents: [{ Key: "2026/01.gz", Size: 1204, ETag: '"9b2c"', StorageClass: "STANDARD" }],
      ContinuationToken: "1ueGcxLPRx1Tr",
      NextContinuationToken: "1w41l63U0xa8q7smH50vCxyTQqdxo69O3EmK28Bi5PcROI4wI",
    };
    expect(redact(listed)).toEqual(listed);
    const kept = {
      NextToken: "a",
      nextToken: "b",
      Marker: "c",
      NextMarker: "d",
      PaginationToken: "e",
      nextForwardToken: "f/38000000000000000000000000000000000000000000000000000000",
      nextBackwardToken: "b/38000000000000000000000000000000000000000000000000000000",
      NextPageToken: "g",
      ClientToken: "h",
      nextSequenceToken: "i",
    };
    expect(redact(kept)).toEqual(kept);
  });

  it("masks decrypted SSM SecureString values, keeps plain String parameters", () => {
    expect(
      redact({
        Parameters: [
          { Name: "/prod/db/password", Type: "SecureString", Value: "pg-pass", Version: 2 },
          { Name: "/prod/db/host", Type: "String", Value: "db.internal", Version: 1 },
        ],
      }),
    ).toEqual({
      Parameters: [
        { Name: "/prod/db/password", Type: "SecureString", Value: REDACTED, Version: 2 },
        { Name: "/prod/db/host", Type: "String", Value: "db.internal", Version: 1 },
      ],
    });
  });

  it("replaces an S3 GetObject body with a note and destroys it, without reading it", () => {
    const body = Object.assign(new PassThrough(), {
      transformToByteArray: () => Promise.resolve(new Uint8Array()),
      transformToString: () => Promise.resolve(""),
    });
    body.write("secret file contents");
    const output = redact({
      $metadata: { httpStatusCode: 200 },
      ContentLength: 20,
      ContentType: "text/plain",
      ETag: '"5d41"',
      Body: body,
    });
    expect(output).toEqual({
      $metadata: { httpStatusCode: 200 },
      ContentLength: 20,
      ContentType: "text/plain",
      ETag: '"5d41"',
      Body: "[stream: not stored]",
    });
    expect(body.destroyed).toBe(true);
  });

  it("replaces a plain Readable, a web ReadableStream and an event stream with a note", async () => {
    const readable = Readable.from(["a", "b"]);
    let cancelled = false;
    const web = new ReadableStream({
      cancel() {
        cancelled = true;
      },
    });
    const events = {
      async *[Symbol.asyncIterator]() {
        yield { PayloadChunk: { Payload: new Uint8Array([1]) } };
      },
    };
    const mixin = {
      transformToByteArray: () => Promise.resolve(new Uint8Array()),
      transformToString: () => Promise.resolve(""),
    };
    expect(redact({ readable, web, EventStream: events, mixin })).toEqual({
      readable: "[stream: not stored]",
      web: "[stream: not stored]",
      EventStream: "[stream: not stored]",
      mixin: "[stream: not stored]",
    });
    expect(readable.destroyed).toBe(true);
    await Promise.resolve();
    expect(cancelled).toBe(true);
    // A locked web stream refuses cancel(); that is no error for redact.
    const locked = new ReadableStream();
    locked.getReader();
    expect(redact({ locked })).toEqual({ locked: "[stream: not stored]" });
  });

  it("ends a cycle with a note, and copies an object referenced twice both times", () => {
    const node: Record<string, unknown> = { name: "a" };
    node.self = node;
    const shared = { Key: "k" };
    const output = redact({ node, list: [node], left: shared, right: shared });
    expect(output).toEqual({
      node: { name: "a", self: "[circular]" },
      list: [{ name: "a", self: "[circular]" }],
      left: { Key: "k" },
      right: { Key: "k" },
    });
    expect(() => JSON.stringify(output)).not.toThrow();
  });

  it("copies class instances as JSON would: Map as object, Set as array, bytes counted", () => {
    class Owner {
      constructor(
        readonly id: string,
        readonly Password: string,
      ) {}
    }
    const output = redact({
      tags: new Map<string, unknown>([
        ["env", "prod"],
        ["ApiSecret", "x"],
      ]),
      ids: new Set(["i-1", "i-2"]),
      buffer: Buffer.from("abcd"),
      view: new DataView(new ArrayBuffer(8)),
      owner: new Owner("o-1", "pw"),
      size: 12n,
      invalid: new Date(Number.NaN),
      document: Object.assign(new String('{"a":1}'), { toJSON: () => '{"a":1}' }),
    });
    expect(output).toEqual({
      tags: { env: "prod", ApiSecret: REDACTED },
      ids: ["i-1", "i-2"],
      buffer: "[4 bytes]",
      view: "[8 bytes]",
      owner: { id: "o-1", Password: REDACTED },
      size: "12",
      invalid: null,
      document: '{"a":1}',
    });
  });
});
