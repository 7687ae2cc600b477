import {
  CloudWatchLogsClient,
  MalformedQueryException,
  StartQueryCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../emulator/index.js";
import { KEYS, testWorld } from "./test-world.js";

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ world: testWorld() });
});
afterAll(async () => {
  await emulator.close();
});

function startQuery(queryString: string, startTime = 0, endTime = 1_800_000_000) {
  const logs = new CloudWatchLogsClient({
    endpoint: emulator.url,
    region: "us-east-1",
    credentials: KEYS.reader,
    maxAttempts: 1,
  });
  return logs.send(
    new StartQueryCommand({ logGroupName: "/ecs/web", queryString, startTime, endTime }),
  );
}

describe("CloudWatch Logs StartQuery", () => {
  it.each([
    "fields @timestamp, @message | sort @timestamp desc | limit 20",
    "fields @timestamp, path | filter status >= 500 | stats count() by path",
    "filter @message like /ERROR|WARN/ | stats count(*) as errors by bin(5m)",
    "parse @message 'user=* action=*' as user, action | display user, action",
    "parse @message /(?<user>\\w+) did (?<act>\\w+)/ | dedup user",
    "fields @message # why\n| filter @logStream = 'web|1' and not ispresent(skip)",
    "fields `user-agent`, bytes / 1024 as kib | unmask(@message)",
    "filter @message like 'timeout' | pattern @message",
  ])("accepts the Logs Insights query %j", async (query) => {
    await expect(startQuery(query)).resolves.toMatchObject({
      queryId: expect.any(String) as unknown,
    });
  });

  it.each([
    ["bogus command", "mismatched input 'bogus' expecting {K_PARSE", 0, 5],
    ["fields @timestamp, custom_field | count()", "mismatched input 'count' expecting", 34, 39],
    ["fields @message |", "mismatched input '<EOF>' expecting {", 17, 17],
    ["fields", "mismatched input '<EOF>' expecting an expression", 6, 6],
    ["fields a,, b", "mismatched input ',' expecting an expression", 9, 10],
    ["fields @message | limit ten", "mismatched input 'ten' expecting INTEGER", 24, 27],
    ["filter (status = 500", "missing ')' at '<EOF>'", 20, 20],
    ["filter level = 'error", "token recognition error at: ''error'", 15, 21],
    ["stats by path", "mismatched input 'by' expecting an aggregation function", 6, 8],
    ["parse @message 'x=*'", "mismatched input '<EOF>' expecting 'as'", 20, 20],
  ])(
    "refuses %j with MalformedQueryException and where it failed",
    async (query, message, startCharOffset, endCharOffset) => {
      const error = await startQuery(query).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MalformedQueryException);
      expect(error).toMatchObject({
        message: expect.stringContaining(message) as unknown,
        $metadata: { httpStatusCode: 400 },
        queryCompileError: {
          location: { startCharOffset, endCharOffset },
          message: expect.stringContaining(message) as unknown,
        },
      });
    },
  );

  it("refuses a start time after the end time with InvalidParameterException", async () => {
    await expect(startQuery("fields @message", 1_700_000_100, 1_700_000_000)).rejects.toMatchObject(
      { name: "InvalidParameterException", $metadata: { httpStatusCode: 400 } },
    );
    await expect(
      startQuery("fields @message", 1_700_000_000, 1_700_000_000),
    ).resolves.toMatchObject({ queryId: expect.any(String) as unknown });
  });
});
