import { DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../emulator/index.js";
import { KEYS, MAIN, testWorld } from "./test-world.js";

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ world: testWorld() });
});
afterAll(async () => {
  await emulator.close();
});
afterEach(() => {
  emulator.setKnobs({ notAws: undefined });
  emulator.resetCounters();
});

const config = () => ({
  endpoint: emulator.url,
  region: "us-east-1",
  credentials: KEYS.reader,
  maxAttempts: 1,
});

describe("the notAws knob", () => {
  it("answers every AWS call with an HTML 404 page, checking nothing, and counts it", async () => {
    emulator.setKnobs({ notAws: {} });
    const response = await fetch(`${emulator.url}/?Action=GetCallerIdentity&Version=2011-06-15`);
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await response.text()).toContain("<title>404 Not Found</title>");

    const error = (await new EC2Client(config())
      .send(new DescribeVpcsCommand({}))
      .catch((e: unknown) => e)) as { $response?: { statusCode: number }; $fault?: string };
    expect(error.$response?.statusCode).toBe(404);
    // The SDK could not read it as EC2's XML: no service exception.
    expect(error.$fault).toBeUndefined();
    expect(emulator.counters()).toMatchObject({ notAws: 2, total: 0, authFailures: 0 });
    // The control routes still answer.
    expect((await fetch(`${emulator.url}/_emulator/calls`)).status).toBe(200);
  });

  it("answers only the services it names, with the status, content type and body it is given", async () => {
    emulator.setKnobs({
      notAws: {
        services: ["ec2"],
        status: 502,
        contentType: "application/json",
        body: '{"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found"}}',
      },
    });
    const error = (await new EC2Client(config())
      .send(new DescribeVpcsCommand({}))
      .catch((e: unknown) => e)) as {
      $response?: { statusCode: number; headers: Record<string, string> };
    };
    expect(error.$response?.statusCode).toBe(502);
    expect(error.$response?.headers["content-type"]).toBe("application/json");
    const identity = await new STSClient(config()).send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe(MAIN);
    expect(emulator.counters().notAws).toBe(1);
  });

  it("is turned on and off over HTTP, for an emulator in another process", async () => {
    const knob = `${emulator.url}/_emulator/knobs/not-aws`;
    const on = await fetch(`${knob}?status=503&contentType=text%2Fplain&body=down&services=ec2`, {
      method: "PUT",
    });
    expect(on.status).toBe(204);
    expect(emulator.knobs.notAws).toEqual({
      status: 503,
      contentType: "text/plain",
      body: "down",
      services: ["ec2"],
    });
    expect((await fetch(`${knob}?status=abc`, { method: "PUT" })).status).toBe(400);
    expect((await fetch(knob, { method: "DELETE" })).status).toBe(204);
    expect(emulator.knobs.notAws).toBeUndefined();
  });

  it("answers as AWS again once it is turned off", async () => {
    emulator.setKnobs({ notAws: { status: 500 } });
    await expect(new EC2Client(config()).send(new DescribeVpcsCommand({}))).rejects.toBeDefined();
    emulator.setKnobs({ notAws: undefined });
    const { Vpcs } = await new EC2Client(config()).send(new DescribeVpcsCommand({}));
    expect(Vpcs?.length).toBeGreaterThan(0);
  });
});
