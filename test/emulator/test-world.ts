import type { WorldInput } from "../../emulator/index.js";

export const MAIN = "111111111111";
export const MEMBER = "222222222222";

export const KEYS = {
  reader: {
    accessKeyId: "AKIATESTREADER000001",
    secretAccessKey: "reader-secret-000000000000000000000000",
  },
  admin: {
    accessKeyId: "AKIATESTADMIN0000001",
    secretAccessKey: "admin-secret-0000000000000000000000000",
  },
  assumer: {
    accessKeyId: "AKIATESTASSUMER00001",
    secretAccessKey: "assumer-secret-00000000000000000000000",
  },
  nobody: {
    accessKeyId: "AKIATESTNOBODY000001",
    secretAccessKey: "nobody-secret-000000000000000000000000",
  },
};

export const EXTERNAL_ID = "sb-test-external-id";
export const OIDC_AUDIENCE = "acme/app-id/switchboard.aws.connector";
export const OIDC_SUBJECT = "switchboard:connection/production";

const assumeAnything = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }],
};

function instances(count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(3, "0");
    return {
      InstanceId: `i-0000000000000${n}`,
      ImageId: "ami-0abcdef1234567890",
      InstanceType: i % 2 === 0 ? "t3.micro" : "m6i.large",
      LaunchTime: "2026-01-01T00:00:00Z",
      State: i === 0 ? { Code: 80, Name: "stopped" } : { Code: 16, Name: "running" },
      SubnetId: "subnet-00000000000000001",
      VpcId: "vpc-00000000000000001",
      PrivateIpAddress: `10.0.1.${i + 10}`,
      Placement: { AvailabilityZone: "us-east-1a" },
      Tags: [
        { Key: "Name", Value: `node-${n}` },
        { Key: "team", Value: i < 3 ? "payments" : "search" },
      ],
    };
  });
}

/** A small world: one main account with users of each kind, and a member account. */
export function testWorld(options: { oidcIssuer?: string } = {}): WorldInput {
  const oidcHost = options.oidcIssuer?.replace(/^https?:\/\//, "");
  return {
    regions: ["us-east-1", "eu-west-1"],
    accounts: [
      {
        id: MAIN,
        name: "main",
        users: [
          {
            name: "reader",
            accessKeys: [{ id: KEYS.reader.accessKeyId, secret: KEYS.reader.secretAccessKey }],
            policies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
          },
          {
            name: "admin",
            accessKeys: [{ id: KEYS.admin.accessKeyId, secret: KEYS.admin.secretAccessKey }],
            policies: ["arn:aws:iam::aws:policy/AdministratorAccess"],
          },
          {
            name: "assumer",
            accessKeys: [{ id: KEYS.assumer.accessKeyId, secret: KEYS.assumer.secretAccessKey }],
            policies: [assumeAnything],
          },
          {
            name: "nobody",
            accessKeys: [{ id: KEYS.nobody.accessKeyId, secret: KEYS.nobody.secretAccessKey }],
          },
        ],
        roles: [
          {
            name: "host",
            trust: {
              Version: "2012-10-17",
              Statement: [
                {
                  Effect: "Allow",
                  Principal: { Service: "ec2.amazonaws.com" },
                  Action: "sts:AssumeRole",
                },
              ],
            },
            policies: ["arn:aws:iam::aws:policy/ReadOnlyAccess", assumeAnything],
          },
          {
            name: "chain-start",
            trust: {
              Version: "2012-10-17",
              Statement: [
                {
                  Effect: "Allow",
                  Principal: { AWS: `arn:aws:iam::${MAIN}:root` },
                  Action: "sts:AssumeRole",
                },
              ],
            },
            policies: [assumeAnything],
            maxSessionDuration: 7200,
          },
        ],
        instanceRole: "host",
        resources: {
          "us-east-1": {
            ec2: {
              Vpcs: [
                {
                  VpcId: "vpc-00000000000000001",
                  CidrBlock: "10.0.0.0/16",
                  State: "available",
                  IsDefault: false,
                  OwnerId: MAIN,
                },
              ],
              Subnets: [
                {
                  SubnetId: "subnet-00000000000000001",
                  VpcId: "vpc-00000000000000001",
                  CidrBlock: "10.0.1.0/24",
                  AvailabilityZone: "us-east-1a",
                  State: "available",
                },
              ],
              SecurityGroups: [
                {
                  GroupId: "sg-00000000000000001",
                  GroupName: "web",
                  Description: "web",
                  VpcId: "vpc-00000000000000001",
                  OwnerId: MAIN,
                },
              ],
              Instances: instances(12),
            },
            ecs: {
              clusters: [
                {
                  clusterArn: `arn:aws:ecs:us-east-1:${MAIN}:cluster/web`,
                  clusterName: "web",
                  status: "ACTIVE",
                  activeServicesCount: 1,
                },
              ],
              services: [
                {
                  serviceArn: `arn:aws:ecs:us-east-1:${MAIN}:service/web/frontend`,
                  serviceName: "frontend",
                  clusterArn: `arn:aws:ecs:us-east-1:${MAIN}:cluster/web`,
                  status: "ACTIVE",
                  desiredCount: 2,
                  runningCount: 2,
                  createdAt: "2025-09-01T10:00:00Z",
                },
              ],
            },
            lambda: {
              Functions: ["alpha", "bravo", "charlie", "delta", "echo"].map((name) => ({
                FunctionName: name,
                FunctionArn: `arn:aws:lambda:us-east-1:${MAIN}:function:${name}`,
                Runtime: "nodejs20.x",
                MemorySize: 256,
                LastModified: "2026-01-05T10:00:00.000+0000",
              })),
            },
            secretsmanager: {
              SecretList: [
                {
                  ARN: `arn:aws:secretsmanager:us-east-1:${MAIN}:secret:prod/db-AbCdEf`,
                  Name: "prod/db",
                  CreatedDate: "2025-06-01T00:00:00Z",
                },
                {
                  ARN: `arn:aws:secretsmanager:us-east-1:${MAIN}:secret:prod/api-GhIjKl`,
                  Name: "prod/api",
                  CreatedDate: "2025-06-01T00:00:00Z",
                },
              ],
            },
            logs: {
              logGroups: [{ logGroupName: "/ecs/web", creationTime: 1735689600000 }],
              queryDefinitions: [
                {
                  queryDefinitionId: "qd-1",
                  name: "errors",
                  queryString: "fields @message | filter level = 'error'",
                  lastModified: 1735689600000,
                  logGroupNames: ["/ecs/web"],
                },
              ],
              queryResults: {
                "/ecs/web": [
                  [{ field: "@message", value: "boom" }],
                  [{ field: "@message", value: "bang" }],
                ],
              },
            },
          },
          global: {
            s3: {
              Buckets: [
                {
                  Name: "main-assets",
                  CreationDate: "2025-06-01T00:00:00Z",
                  BucketRegion: "us-east-1",
                },
                {
                  Name: "main-logs",
                  CreationDate: "2025-06-02T00:00:00Z",
                  BucketRegion: "us-east-1",
                  Policy: {
                    Version: "2012-10-17",
                    Statement: [
                      {
                        Effect: "Allow",
                        Principal: { Service: "logging.s3.amazonaws.com" },
                        Action: "s3:PutObject",
                        Resource: "arn:aws:s3:::main-logs/*",
                      },
                    ],
                  },
                },
              ],
            },
          },
        },
      },
      {
        id: MEMBER,
        name: "member",
        oidcProviders:
          options.oidcIssuer !== undefined
            ? [{ url: options.oidcIssuer, clientIds: [OIDC_AUDIENCE] }]
            : [],
        roles: [
          {
            name: "switchboard-read",
            trust: {
              Version: "2012-10-17",
              Statement: [
                {
                  Effect: "Allow",
                  Principal: { AWS: `arn:aws:iam::${MAIN}:root` },
                  Action: "sts:AssumeRole",
                  Condition: { StringEquals: { "sts:ExternalId": EXTERNAL_ID } },
                },
              ],
            },
            policies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
            maxSessionDuration: 7200,
          },
          ...(oidcHost !== undefined
            ? [
                {
                  name: "switchboard-web",
                  trust: {
                    Version: "2012-10-17",
                    Statement: [
                      {
                        Effect: "Allow",
                        Principal: {
                          Federated: `arn:aws:iam::${MEMBER}:oidc-provider/${oidcHost}`,
                        },
                        Action: "sts:AssumeRoleWithWebIdentity",
                        Condition: {
                          StringEquals: {
                            [`${oidcHost}:aud`]: OIDC_AUDIENCE,
                            [`${oidcHost}:sub`]: OIDC_SUBJECT,
                          },
                        },
                      },
                    ],
                  },
                  policies: ["arn:aws:iam::aws:policy/ViewOnlyAccess"],
                },
              ]
            : []),
        ],
        resources: {
          "us-east-1": {
            ec2: {
              Instances: instances(2).map((i) => ({
                ...i,
                InstanceId: `${String(i.InstanceId)}b`,
              })),
            },
          },
        },
      },
    ],
  };
}
