import { IAMClient, UpdateAssumeRolePolicyCommand } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator, type WorldInput } from "../../emulator/index.js";

const HUB = "111111111111";
const TARGET = "222222222222";
const KEYS = {
  assumer: {
    accessKeyId: "AKIAHUBASSUMER000001",
    secretAccessKey: "hub-assumer-secret-0000000000000000",
  },
  platform: {
    accessKeyId: "AKIATARGETPLATFORM01",
    secretAccessKey: "target-platform-secret-00000000000000",
  },
  reader: {
    accessKeyId: "AKIATARGETREADER0001",
    secretAccessKey: "target-reader-secret-000000000000000",
  },
};
const ROLE_ARN = `arn:aws:iam::${TARGET}:role/onboarding-read`;

function trustWith(externalId: string, principal = `arn:aws:iam::${HUB}:user/assumer`) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { AWS: principal },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "sts:ExternalId": externalId } },
      },
    ],
  };
}

function world(): WorldInput {
  return {
    regions: ["us-east-1"],
    accounts: [
      {
        id: HUB,
        name: "hub",
        users: [
          {
            name: "assumer",
            accessKeys: [{ id: KEYS.assumer.accessKeyId, secret: KEYS.assumer.secretAccessKey }],
            policies: [
              {
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }],
              },
            ],
          },
        ],
      },
      {
        id: TARGET,
        name: "target",
        users: [
          {
            name: "platform",
            accessKeys: [{ id: KEYS.platform.accessKeyId, secret: KEYS.platform.secretAccessKey }],
            policies: [
              {
                Version: "2012-10-17",
                Statement: [
                  {
                    Effect: "Allow",
                    Action: "iam:UpdateAssumeRolePolicy",
                    Resource: `arn:aws:iam::${TARGET}:role/onboarding-*`,
                  },
                ],
              },
            ],
          },
          {
            name: "reader",
            accessKeys: [{ id: KEYS.reader.accessKeyId, secret: KEYS.reader.secretAccessKey }],
            policies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
          },
        ],
        roles: [
          {
            name: "onboarding-read",
            trust: trustWith("not-the-right-external-id"),
            policies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
          },
        ],
      },
    ],
  };
}

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ world: world() });
});
afterAll(async () => {
  await emulator.close();
});

function iam(credentials = KEYS.platform) {
  return new IAMClient({
    endpoint: emulator.url,
    region: "us-east-1",
    credentials,
    maxAttempts: 1,
  });
}

function assume(externalId: string) {
  return new STSClient({
    endpoint: emulator.url,
    region: "us-east-1",
    credentials: KEYS.assumer,
    maxAttempts: 1,
  }).send(
    new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: "test", ExternalId: externalId }),
  );
}

function update(policy: unknown, roleName = "onboarding-read", credentials = KEYS.platform) {
  return iam(credentials).send(
    new UpdateAssumeRolePolicyCommand({
      RoleName: roleName,
      PolicyDocument: typeof policy === "string" ? policy : JSON.stringify(policy),
    }),
  );
}

describe("IAM UpdateAssumeRolePolicy (AWS Query)", () => {
  it("replaces the trust policy, so AssumeRole follows the new ExternalId at once", async () => {
    await expect(assume("the-right-external-id")).rejects.toMatchObject({ name: "AccessDenied" });
    await update(trustWith("the-right-external-id"));
    const assumed = await assume("the-right-external-id");
    expect(assumed.AssumedRoleUser?.Arn).toBe(
      `arn:aws:sts::${TARGET}:assumed-role/onboarding-read/test`,
    );
    await expect(assume("not-the-right-external-id")).rejects.toMatchObject({
      name: "AccessDenied",
    });
  });

  it("refuses a caller whose policies do not allow iam:UpdateAssumeRolePolicy, even for a missing role", async () => {
    await expect(update(trustWith("x1"), "onboarding-read", KEYS.reader)).rejects.toMatchObject({
      name: "AccessDenied",
      message: expect.stringContaining(
        `User: arn:aws:iam::${TARGET}:user/reader is not authorized to perform: iam:UpdateAssumeRolePolicy on resource: ${ROLE_ARN}`,
      ) as unknown,
      $metadata: { httpStatusCode: 403 },
    });
    await expect(update(trustWith("x1"), "some-other-role")).rejects.toMatchObject({
      name: "AccessDenied",
    });
  });

  it("answers NoSuchEntity for a role the account does not have", async () => {
    await expect(update(trustWith("x1"), "onboarding-missing")).rejects.toMatchObject({
      name: "NoSuchEntityException",
      message: "The role with name onboarding-missing cannot be found.",
      $metadata: { httpStatusCode: 404 },
    });
  });

  it("answers MalformedPolicyDocument for bad JSON, a Resource in a trust policy and an unknown principal", async () => {
    const cases: [unknown, RegExp][] = [
      ['{"Version": "2012-10-17", "Statement": [', /invalid Json/],
      [
        {
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { AWS: `arn:aws:iam::${HUB}:root` },
              Action: "sts:AssumeRole",
              Resource: "*",
            },
          ],
        },
        /Resource/,
      ],
      [
        trustWith("x1", "arn:aws:iam::999999999999:root"),
        /Invalid principal in policy: "AWS":"arn:aws:iam::999999999999:root"/,
      ],
      [trustWith("x1", `arn:aws:iam::${HUB}:role/no-such-role`), /Invalid principal in policy/],
    ];
    for (const [policy, message] of cases) {
      await expect(update(policy)).rejects.toMatchObject({
        name: "MalformedPolicyDocumentException",
        message: expect.stringMatching(message) as unknown,
        $metadata: { httpStatusCode: 400 },
      });
    }
    // Nothing of the refused documents was kept.
    expect((await assume("the-right-external-id")).AssumedRoleUser).toBeDefined();
  });

  it("answers LimitExceeded for a trust policy over the 2048-character quota", async () => {
    const big = trustWith("x".repeat(1200));
    (big.Statement[0]?.Condition.StringEquals as Record<string, string>)["sts:RoleSessionName"] =
      "y".repeat(1000);
    await expect(update(big)).rejects.toMatchObject({
      name: "LimitExceededException",
      message: "Cannot exceed quota for ACLSizePerRole: 2048",
      $metadata: { httpStatusCode: 409 },
    });
  });
});
