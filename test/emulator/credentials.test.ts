import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fromContainerMetadata, fromInstanceMetadata } from "@aws-sdk/credential-providers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../emulator/index.js";
import { MAIN, testWorld } from "./test-world.js";

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ world: testWorld() });
});
afterAll(async () => {
  await emulator.close();
});

describe("ambient credentials", () => {
  it("serves the instance role through IMDSv2 to the SDK's own provider", async () => {
    process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = emulator.url;
    process.env.AWS_EC2_METADATA_V1_DISABLED = "true";
    try {
      const credentials = await fromInstanceMetadata({ maxRetries: 0 })();
      expect(credentials.accessKeyId).toMatch(/^ASIA/);
      expect(credentials.expiration?.getTime()).toBeGreaterThan(Date.now() + 3600_000);
      const identity = await new STSClient({
        endpoint: emulator.url,
        region: "us-east-1",
        credentials,
      }).send(new GetCallerIdentityCommand({}));
      expect(identity.Arn).toMatch(new RegExp(`^arn:aws:sts::${MAIN}:assumed-role/host/`));
    } finally {
      delete process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT;
      delete process.env.AWS_EC2_METADATA_V1_DISABLED;
    }
  });

  it("refuses IMDSv1 requests that carry no session token", async () => {
    const list = await fetch(`${emulator.url}/latest/meta-data/iam/security-credentials/`);
    expect(list.status).toBe(401);
    const token = await (
      await fetch(`${emulator.url}/latest/api/token`, {
        method: "PUT",
        headers: { "x-aws-ec2-metadata-token-ttl-seconds": "60" },
      })
    ).text();
    const withToken = await fetch(`${emulator.url}/latest/meta-data/iam/security-credentials/`, {
      headers: { "x-aws-ec2-metadata-token": token },
    });
    expect(await withToken.text()).toBe("host");
    expect((await fetch(`${emulator.url}/latest/api/token`, { method: "PUT" })).status).toBe(400);
  });

  it("serves the same role through the ECS container-credentials endpoint", async () => {
    process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = `${emulator.url}/v2/credentials/task-1`;
    try {
      const credentials = await fromContainerMetadata({ maxRetries: 0 })();
      const identity = await new STSClient({
        endpoint: emulator.url,
        region: "us-east-1",
        credentials,
      }).send(new GetCallerIdentityCommand({}));
      expect(identity.Arn).toMatch(new RegExp(`^arn:aws:sts::${MAIN}:assumed-role/host/`));
    } finally {
      delete process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
    }
  });
});
