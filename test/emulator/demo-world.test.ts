import { fileURLToPath } from "node:url";
import { ListClustersCommand, ECSClient } from "@aws-sdk/client-ecs";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../emulator/index.js";

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({
    world: fileURLToPath(new URL("../../emulator/worlds/demo.yaml", import.meta.url)),
  });
});
afterAll(async () => {
  await emulator.close();
});

describe("the demo world", () => {
  it("lets the management account's switchboard user reach a member account through its ExternalId role", async () => {
    const sts = new STSClient({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials: {
        accessKeyId: "AKIAMANAGEMENTSWITCH1",
        secretAccessKey: "management-switchboard-secret-000000000",
      },
    });
    const assumed = await sts.send(
      new AssumeRoleCommand({
        RoleArn: "arn:aws:iam::222222222222:role/switchboard-read",
        RoleSessionName: "demo",
        ExternalId: "sb-demo-external-id",
      }),
    );
    const ecs = new ECSClient({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials: {
        accessKeyId: assumed.Credentials?.AccessKeyId ?? "",
        secretAccessKey: assumed.Credentials?.SecretAccessKey ?? "",
        sessionToken: assumed.Credentials?.SessionToken ?? "",
      },
    });
    expect((await ecs.send(new ListClustersCommand({}))).clusterArns).toEqual([
      "arn:aws:ecs:us-east-1:222222222222:cluster/web",
    ]);
  });
});
