import { PassThrough, Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { REDACTED, maskPresignedUrls, redact } from "./redact.js";
import { redactionPlanOf } from "./redaction-plan.js";

/** Redacts an operation's output (or input) as a run stores it: with AWS's model of it. */
async function redactAs(
  service: string,
  operation: string,
  value: unknown,
  direction: "input" | "output" = "output",
): Promise<unknown> {
  return redact(value, await redactionPlanOf(service, operation, direction));
}

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

  it("masks members AWS's model marks sensitive: EC2 GetPasswordData's PasswordData", async () => {
    const output = {
      InstanceId: "i-0a1b2c3d4e5f67890",
      Timestamp: new Date("2026-03-02T08:15:00Z"),
      PasswordData: "\nZr7yJ0kTfFLmX3b4Jg2ZsY0sPq3+Wq8nRk0m9tN2xXhQe8d0kN4Yw1Qp0Lx2c3Vb6Tq==\n",
    };
    expect(await redactAs("ec2", "GetPasswordData", output)).toEqual({
      InstanceId: "i-0a1b2c3d4e5f67890",
      Timestamp: "2026-03-02T08:15:00.000Z",
      PasswordData: REDACTED,
    });
  });

  it("masks Cognito's Session and tokens, and STS's SAMLAssertion in the stored input", async () => {
    // cognito-idp:InitiateAuth answering with a challenge.
    expect(
      await redactAs("cognito-identity-provider", "InitiateAuth", {
        ChallengeName: "SOFTWARE_TOKEN_MFA",
        Session: "AYABeC1-5nGqVgT2cF0wAAAAAAAAAAEAAAABAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        ChallengeParameters: { USER_ID_FOR_SRP: "alice" },
      }),
    ).toEqual({
      ChallengeName: "SOFTWARE_TOKEN_MFA",
      Session: REDACTED,
      ChallengeParameters: { USER_ID_FOR_SRP: "alice" },
    });
    const assertion = Buffer.from("<samlp:Response ID='_8e8dc5f69a98'/>").toString("base64");
    expect(
      await redactAs(
        "sts",
        "AssumeRoleWithSAML",
        {
          RoleArn: "arn:aws:iam::111122223333:role/saml-admin",
          PrincipalArn: "arn:aws:iam::111122223333:saml-provider/okta",
          SAMLAssertion: assertion,
          DurationSeconds: 3600,
        },
        "input",
      ),
    ).toEqual({
      RoleArn: "arn:aws:iam::111122223333:role/saml-admin",
      PrincipalArn: "arn:aws:iam::111122223333:saml-provider/okta",
      SAMLAssertion: REDACTED,
      DurationSeconds: 3600,
    });
  });

  it("masks what the models leave unmarked: ECS docker labels, Glue job arguments, SageMaker environments", async () => {
    // ecs:DescribeTaskDefinition
    const ecs = (await redactAs("ecs", "DescribeTaskDefinition", {
      taskDefinition: {
        family: "api",
        revision: 4,
        containerDefinitions: [
          {
            name: "api",
            image: "111122223333.dkr.ecr.eu-west-1.amazonaws.com/api:2.0.1",
            dockerLabels: {
              "traefik.http.middlewares.auth.basicauth.users":
                "admin:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/",
              "com.example.team": "payments",
            },
          },
        ],
      },
    })) as { taskDefinition: { containerDefinitions: Record<string, unknown>[] } };
    expect(ecs.taskDefinition.containerDefinitions[0]).toEqual({
      name: "api",
      image: "111122223333.dkr.ecr.eu-west-1.amazonaws.com/api:2.0.1",
      dockerLabels: {
        "traefik.http.middlewares.auth.basicauth.users": REDACTED,
        "com.example.team": REDACTED,
      },
    });
    // glue:GetJob
    expect(
      await redactAs("glue", "GetJob", {
        Job: {
          Name: "nightly-etl",
          Command: { Name: "glueetl", ScriptLocation: "s3://etl-scripts/nightly.py" },
          DefaultArguments: { "--jdbc-url": "jdbc:postgresql://db:5432/app?password=pg-pw" },
          NonOverridableArguments: { "--api-key": "k-91f3" },
          MaxRetries: 1,
        },
      }),
    ).toEqual({
      Job: {
        Name: "nightly-etl",
        Command: { Name: "glueetl", ScriptLocation: "s3://etl-scripts/nightly.py" },
        DefaultArguments: { "--jdbc-url": REDACTED },
        NonOverridableArguments: { "--api-key": REDACTED },
        MaxRetries: 1,
      },
    });
    // sagemaker:DescribeModel
    expect(
      await redactAs("sagemaker", "DescribeModel", {
        ModelName: "churn",
        PrimaryContainer: {
          Image: "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1-cpu",
          ModelDataUrl: "s3://models/churn/model.tar.gz",
          Environment: { HF_TOKEN: "hf_live_abc", SAGEMAKER_PROGRAM: "inference.py" },
        },
        ExecutionRoleArn: "arn:aws:iam::111122223333:role/sagemaker",
      }),
    ).toEqual({
      ModelName: "churn",
      PrimaryContainer: {
        Image: "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1-cpu",
        ModelDataUrl: "s3://models/churn/model.tar.gz",
        Environment: { HF_TOKEN: REDACTED, SAGEMAKER_PROGRAM: REDACTED },
      },
      ExecutionRoleArn: "arn:aws:iam::111122223333:role/sagemaker",
    });
  });

  it("masks CloudFormation parameter values and API Gateway key values, keeps their names", async () => {
    // cloudformation:DescribeStacks: the output does not say which parameters are NoEcho.
    expect(
      await redactAs("cloudformation", "DescribeStacks", {
        Stacks: [
          {
            StackName: "orders",
            StackStatus: "UPDATE_COMPLETE",
            Parameters: [
              { ParameterKey: "DbPassword", ParameterValue: "N0Echo!" },
              { ParameterKey: "Stage", ParameterValue: "prod" },
            ],
            Outputs: [{ OutputKey: "Url", OutputValue: "https://orders.example.com" }],
          },
        ],
      }),
    ).toEqual({
      Stacks: [
        {
          StackName: "orders",
          StackStatus: "UPDATE_COMPLETE",
          Parameters: [
            { ParameterKey: "DbPassword", ParameterValue: REDACTED },
            { ParameterKey: "Stage", ParameterValue: REDACTED },
          ],
          Outputs: [{ OutputKey: "Url", OutputValue: "https://orders.example.com" }],
        },
      ],
    });
    // apigateway:GetApiKeys with includeValues
    expect(
      await redactAs("api-gateway", "GetApiKeys", {
        items: [
          {
            id: "3ebk6v0ol1",
            name: "partner-acme",
            value: "kQ8zN2b7fH1xR4tL0pW9sV3mC6yD5eJ8",
            enabled: true,
            stageKeys: ["a1b2c3/prod"],
          },
        ],
        position: "abc",
      }),
    ).toEqual({
      items: [
        {
          id: "3ebk6v0ol1",
          name: "partner-acme",
          value: REDACTED,
          enabled: true,
          stageKeys: ["a1b2c3/prod"],
        },
      ],
      position: "abc",
    });
  });

  it("masks the query of a presigned URL: Lambda GetFunction's code location, anywhere in text", async () => {
    const location =
      "https://awslambda-eu-west-1-tasks.s3.eu-west-1.amazonaws.com/snapshots/111122223333/orders-api-5d1c8e2a?versionId=3sL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY&X-Amz-Security-Token=IQoJb3JpZ2luX2VjEMr%2F%2F%2F%2F&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20260302T081500Z&X-Amz-SignedHeaders=host&X-Amz-Expires=600&X-Amz-Credential=ASIA25DCYHY3%2F20260302%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Signature=9b2f0c";
    const output = (await redactAs("lambda", "GetFunction", {
      Configuration: { FunctionName: "orders-api", Runtime: "nodejs20.x" },
      Code: { RepositoryType: "S3", Location: location },
      Tags: { team: "orders" },
    })) as { Code: { Location: string } };
    expect(output.Code.Location).toBe(
      `https://awslambda-eu-west-1-tasks.s3.eu-west-1.amazonaws.com/snapshots/111122223333/orders-api-5d1c8e2a?${REDACTED}`,
    );
    // Without a model, in free text, percent-encoded inside another URL, or as a bare query.
    expect(redact({ note: `download it from ${location} within 10 minutes` })).toEqual({
      note: `download it from https://awslambda-eu-west-1-tasks.s3.eu-west-1.amazonaws.com/snapshots/111122223333/orders-api-5d1c8e2a?${REDACTED} within 10 minutes`,
    });
    expect(
      maskPresignedUrls(`https://sso.example.com/start?next=${encodeURIComponent(location)}`),
    ).toBe(`https://sso.example.com/start?${REDACTED}`);
    expect(maskPresignedUrls("X-Amz-Signature=9b2f0c&X-Amz-Date=20260302T081500Z")).toBe(REDACTED);
    expect(
      maskPresignedUrls(
        "https://d111111abcdef8.cloudfront.net/a.png?Expires=1&Signature=x~y&Key-Pair-Id=K2",
      ),
    ).toBe(`https://d111111abcdef8.cloudfront.net/a.png?${REDACTED}`);
    // Other URLs and text stay as they are.
    const plain = "https://orders.example.com/search?q=X-Amz&page=2";
    expect(maskPresignedUrls(plain)).toBe(plain);
  });

  it("keeps a plain String parameter that Parameter Store's model marks, masks a SecureString one", async () => {
    const plan = await redactionPlanOf("ssm", "GetParametersByPath", "output");
    expect(plan).toBeDefined();
    expect(
      redact(
        {
          Parameters: [
            { Name: "/prod/db/host", Type: "String", Value: "db.internal", Version: 1 },
            { Name: "/prod/db/password", Type: "SecureString", Value: "pg-pass", Version: 2 },
            { Name: "/prod/db/unknown", Value: "no-type-given", Version: 1 },
          ],
        },
        plan,
      ),
    ).toEqual({
      Parameters: [
        { Name: "/prod/db/host", Type: "String", Value: "db.internal", Version: 1 },
        { Name: "/prod/db/password", Type: "SecureString", Value: REDACTED, Version: 2 },
        { Name: "/prod/db/unknown", Value: REDACTED, Version: 1 },
      ],
    });
  });

  it("has no plan where the model marks nothing, and for an operation the client does not have", async () => {
    expect(await redactionPlanOf("ec2", "DescribeInstances", "output")).toBeUndefined();
    expect(await redactionPlanOf("ec2", "FlyToTheMoon", "output")).toBeUndefined();
    // DynamoDB's AttributeValue nests itself: building its plan ends.
    expect(await redactionPlanOf("dynamodb", "GetItem", "output")).toBeUndefined();
  });
});
