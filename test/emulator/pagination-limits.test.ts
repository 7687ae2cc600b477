import { XMLParser } from "fast-xml-parser";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../emulator/index.js";
import type { ActionContext } from "../../src/actions/action-definition.js";
import { awsCallAction } from "../../src/actions/aws-call.js";
import { send, signedRequest } from "./signed-request.js";
import { KEYS, testWorld } from "./test-world.js";

// AWS refuses a page size that is not an integer before doing anything, in each protocol's own
// error; the emulator once read "abc" as NaN and answered an empty page with the same token.
let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ world: testWorld() });
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => {
  emulator.resetCounters();
});

async function ec2Query(params: Record<string, string>): Promise<Response> {
  return send(
    await signedRequest({
      url: emulator.url,
      service: "ec2",
      headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
      body: new URLSearchParams({
        Action: "DescribeInstances",
        Version: "2016-11-15",
        ...params,
      }).toString(),
      credentials: KEYS.reader,
    }),
  );
}

async function listSecrets(body: string): Promise<Response> {
  return send(
    await signedRequest({
      url: emulator.url,
      service: "secretsmanager",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "secretsmanager.ListSecrets",
      },
      body,
      credentials: KEYS.reader,
    }),
  );
}

type Ec2Error = { Response: { Errors: { Error: { Code: string; Message: string } } } };

describe("page-size validation", () => {
  it('refuses ec2:DescribeInstances with MaxResults "abc" with InvalidParameterValue', async () => {
    const response = await ec2Query({ MaxResults: "abc" });
    expect(response.status).toBe(400);
    const error = (new XMLParser().parse(await response.text()) as Ec2Error).Response.Errors.Error;
    expect(error.Code).toBe("InvalidParameterValue");
    expect(error.Message).toContain("MaxResults");
  });

  it("still pages ec2:DescribeInstances with an integer MaxResults, and the tokens run out", async () => {
    const seen = new Set<string>();
    let token: string | undefined;
    let pages = 0;
    do {
      const response = await ec2Query({
        MaxResults: "5",
        ...(token !== undefined ? { NextToken: token } : {}),
      });
      expect(response.status).toBe(200);
      const body = new XMLParser().parse(await response.text()) as {
        DescribeInstancesResponse: { nextToken?: string };
      };
      token = body.DescribeInstancesResponse.nextToken;
      if (token !== undefined) {
        expect(seen.has(token)).toBe(false);
        seen.add(token);
      }
      pages += 1;
    } while (token !== undefined && pages < 10);
    expect(token).toBeUndefined();
    expect(pages).toBe(3);
  });

  it("refuses secretsmanager:ListSecrets (JSON) with a MaxResults that is not an integer", async () => {
    // A string is not a JSON number: AWS's deserializer refuses it before the service sees it.
    const text = await listSecrets('{"MaxResults":"abc"}');
    expect(text.status).toBe(400);
    expect(await text.json()).toEqual({
      __type: "SerializationException",
      Message: "class java.lang.String can not be converted to an Integer",
    });
    const fraction = await listSecrets('{"MaxResults":2.5}');
    expect(fraction.status).toBe(400);
    expect(await fraction.json()).toMatchObject({
      __type: expect.stringContaining("InvalidParameterException") as unknown,
    });
    expect((await listSecrets('{"MaxResults":null}')).status).toBe(200);
  });

  it('refuses lambda:ListFunctions (REST-JSON) with MaxItems "abc"', async () => {
    const response = await send(
      await signedRequest({
        url: emulator.url,
        service: "lambda",
        method: "GET",
        path: "/2015-03-31/functions/",
        query: { MaxItems: "abc" },
        credentials: KEYS.reader,
      }),
    );
    expect(response.status).toBe(400);
    expect(response.headers.get("x-amzn-errortype")).toContain("InvalidParameterValueException");
  });
});

describe("aws.call against the emulator", () => {
  it('fails DescribeInstances with MaxResults "abc" after one request instead of paging forever', async () => {
    const context: ActionContext = {
      region: "us-east-1",
      regions: ["us-east-1"],
      client: <C>(ClientClass: new (config: never) => C) =>
        new ClientClass({
          endpoint: emulator.url,
          region: "us-east-1",
          credentials: KEYS.reader,
          maxAttempts: 1,
        } as never),
      maxItems: undefined,
      pageSize: undefined,
      signal: new AbortController().signal,
      sleep: async () => {},
    };
    await expect(
      awsCallAction.run(context, {
        service: "ec2",
        operation: "DescribeInstances",
        input: { MaxResults: "abc" },
      }),
    ).rejects.toMatchObject({ name: "InvalidParameterValue" });
    expect(emulator.counters().byOperation).toEqual({ "ec2:DescribeInstances": 1 });
  }, 10_000);
});
