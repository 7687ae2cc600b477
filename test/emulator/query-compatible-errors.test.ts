import * as cloudwatchSdk from "@aws-sdk/client-cloudwatch";
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  SetAlarmStateCommand,
} from "@aws-sdk/client-cloudwatch";
import * as sqsSdk from "@aws-sdk/client-sqs";
import { GetQueueAttributesCommand, ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { XMLParser } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { failure, httpStatus, sdkHarness } from "./sdk-harness.js";
import { type WorldInput } from "../../emulator/index.js";
import { modeledQueryErrors } from "../../emulator/protocols/query-compatible-errors.js";
import { classifyAwsError } from "../../src/fan-out/index.js";
import { send, signedRequest } from "./signed-request.js";

// CloudWatch and SQS moved from AWS Query to JSON 1.0 and are awsQueryCompatible: an error carries
// its JSON shape id in __type and its old Query code in `x-amzn-query-error: Code;Sender`, and the
// SDK v3 client reports that Code (and the status the Query API had).
const ACCOUNT = "313131313131";
const REGION = "us-east-1";
const KEYS = {
  reader: {
    accessKeyId: "AKIAQUERYCOMPATREAD1",
    secretAccessKey: "qc-reader-secret-000000000000000000",
  },
  nobody: {
    accessKeyId: "AKIAQUERYCOMPATNONE1",
    secretAccessKey: "qc-nobody-secret-000000000000000000",
  },
  alarmer: {
    accessKeyId: "AKIAQUERYCOMPATALRM1",
    secretAccessKey: "qc-alarmer-secret-00000000000000000",
  },
};

function alarm(name: string): Record<string, unknown> {
  return {
    AlarmName: name,
    AlarmArn: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${name}`,
    StateValue: "OK",
    MetricName: "CPUUtilization",
    Namespace: "AWS/EC2",
    Dimensions: [{ Name: "InstanceId", Value: "i-0123456789abcdef0" }],
  };
}

function world(): WorldInput {
  return {
    regions: [REGION],
    accounts: [
      {
        id: ACCOUNT,
        name: "query-compatible",
        users: [
          {
            name: "reader",
            accessKeys: [{ id: KEYS.reader.accessKeyId, secret: KEYS.reader.secretAccessKey }],
            policies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
          },
          {
            name: "alarmer",
            accessKeys: [{ id: KEYS.alarmer.accessKeyId, secret: KEYS.alarmer.secretAccessKey }],
            policies: [
              {
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Action: "cloudwatch:SetAlarmState", Resource: "*" }],
              },
            ],
          },
          {
            name: "nobody",
            accessKeys: [{ id: KEYS.nobody.accessKeyId, secret: KEYS.nobody.secretAccessKey }],
            policies: [],
          },
        ],
        resources: {
          [REGION]: {
            monitoring: { MetricAlarms: [alarm("cpu-high"), alarm("cpu-low")] },
            sqs: { Queues: [{ QueueName: "jobs" }] },
          },
        },
      },
    ],
  };
}

const { config, url } = sdkHarness(world, { credentials: KEYS.reader, region: REGION });

/** A CloudWatch call over AWS Query (its 2010-08-01 form), signed with `credentials`. */
async function cloudWatchQuery(
  params: Record<string, string>,
  credentials: { accessKeyId: string; secretAccessKey: string },
): Promise<Response> {
  return send(
    await signedRequest({
      url: url(),
      service: "monitoring",
      headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
      body: new URLSearchParams({ ...params, Version: "2010-08-01" }).toString(),
      credentials,
    }),
  );
}

describe("CloudWatch over JSON 1.0 (awsQueryCompatible)", () => {
  it("answers a denial as AWS does: 403, AccessDenied;Sender, and the SDK names it AccessDenied", async () => {
    const cloudwatch = new CloudWatchClient(config(KEYS.nobody));
    const error = await failure(cloudwatch.send(new DescribeAlarmsCommand({})));
    expect(error.name).toBe("AccessDenied");
    expect(error.Code).toBe("AccessDenied");
    expect(error.Type).toBe("Sender");
    expect(httpStatus(error)).toBe(403);
    expect(error.message).toContain("cloudwatch:DescribeAlarms");
    // Switchboard's fan-out still calls it access denied, and not retriable.
    expect(classifyAwsError(error)).toMatchObject({
      kind: "access_denied",
      code: "AccessDenied",
      retriable: false,
      httpStatus: 403,
    });

    const raw = await send(
      await signedRequest({
        url: url(),
        service: "monitoring",
        headers: {
          "content-type": "application/x-amz-json-1.0",
          "x-amz-target": "GraniteServiceVersion20100801.DescribeAlarms",
          "x-amzn-query-mode": "true",
        },
        body: "{}",
        credentials: KEYS.nobody,
      }),
    );
    expect(raw.status).toBe(403);
    expect(raw.headers.get("x-amzn-query-error")).toBe("AccessDenied;Sender");
    expect(raw.headers.get("content-type")).toBe("application/x-amz-json-1.0");
    const body = (await raw.json()) as Record<string, unknown>;
    expect(body.__type).toBe("com.amazon.coral.service#AccessDeniedException");
    expect(body.Message).toContain("is not authorized to perform: cloudwatch:DescribeAlarms");
  });

  it("names a modeled error by its shape and its Query code: ResourceNotFound (404), ValidationError", async () => {
    const cloudwatch = new CloudWatchClient(config(KEYS.reader));
    // ReadOnlyAccess has no cloudwatch:SetAlarmState: the reader is refused first, as AWS does.
    const refused = await failure(
      cloudwatch.send(
        new SetAlarmStateCommand({ AlarmName: "cpu-high", StateValue: "ALARM", StateReason: "t" }),
      ),
    );
    expect(refused).toMatchObject({ name: "AccessDenied", Code: "AccessDenied" });

    const alarmer = new CloudWatchClient(config(KEYS.alarmer));
    const missing = await failure(
      alarmer.send(
        new SetAlarmStateCommand({ AlarmName: "no-such", StateValue: "ALARM", StateReason: "t" }),
      ),
    );
    expect(missing).toBeInstanceOf(cloudwatchSdk.ResourceNotFound);
    expect(missing).toMatchObject({ name: "ResourceNotFound", Code: "ResourceNotFound" });
    expect(httpStatus(missing)).toBe(404);

    const invalid = await failure(
      alarmer.send(
        new SetAlarmStateCommand({
          AlarmName: "cpu-high",
          StateValue: "PANIC" as never,
          StateReason: "t",
        }),
      ),
    );
    expect(invalid).toBeInstanceOf(cloudwatchSdk.ValidationException);
    expect(invalid).toMatchObject({ name: "ValidationException", Code: "ValidationError" });
  });

  it("refuses a NextToken it never issued with InvalidNextToken, over JSON and over Query", async () => {
    const cloudwatch = new CloudWatchClient(config(KEYS.reader));
    const page = await cloudwatch.send(new DescribeAlarmsCommand({ MaxRecords: 1 }));
    expect(page.MetricAlarms?.map((a) => a.AlarmName)).toEqual(["cpu-high"]);
    const next = await cloudwatch.send(
      new DescribeAlarmsCommand({ MaxRecords: 1, NextToken: page.NextToken }),
    );
    expect(next.MetricAlarms?.map((a) => a.AlarmName)).toEqual(["cpu-low"]);

    const error = await failure(
      cloudwatch.send(new DescribeAlarmsCommand({ NextToken: "not-a-token" })),
    );
    expect(error).toBeInstanceOf(cloudwatchSdk.InvalidNextToken);
    expect(error).toMatchObject({ name: "InvalidNextToken", Code: "InvalidNextToken" });
    expect(httpStatus(error)).toBe(400);

    const query = await cloudWatchQuery(
      { Action: "DescribeAlarms", NextToken: "not-a-token" },
      KEYS.reader,
    );
    expect(query.status).toBe(400);
    const doc = new XMLParser().parse(await query.text()) as {
      ErrorResponse: { Error: { Code: string; Type: string } };
    };
    expect(doc.ErrorResponse.Error).toMatchObject({ Code: "InvalidNextToken", Type: "Sender" });
  });
});

describe("a required member left out", () => {
  it("is MissingParameter from CloudWatch (JSON and Query) and SQS, never an emulator fault", async () => {
    const alarmer = new CloudWatchClient(config(KEYS.alarmer));
    const cloudwatch = await failure(
      alarmer.send(new SetAlarmStateCommand({ AlarmName: "cpu-high", StateValue: "OK" } as never)),
    );
    expect(cloudwatch).toBeInstanceOf(cloudwatchSdk.MissingRequiredParameterException);
    expect(cloudwatch).toMatchObject({
      name: "MissingRequiredParameterException",
      Code: "MissingParameter",
      message: "The parameter StateReason is required.",
    });
    expect(httpStatus(cloudwatch)).toBe(400);

    const query = await cloudWatchQuery(
      { Action: "SetAlarmState", StateValue: "OK", StateReason: "t" },
      KEYS.alarmer,
    );
    expect(query.status).toBe(400);
    const doc = new XMLParser().parse(await query.text()) as {
      ErrorResponse: { Error: { Code: string; Message: string } };
    };
    expect(doc.ErrorResponse.Error).toMatchObject({
      Code: "MissingParameter",
      Message: "The parameter AlarmName is required.",
    });

    const sqs = new SQSClient(config(KEYS.reader));
    const queue = await failure(sqs.send(new GetQueueAttributesCommand({} as never)));
    expect(queue).toMatchObject({
      name: "MissingParameter",
      Code: "MissingParameter",
      message: "The request must contain the parameter QueueUrl.",
    });
    expect(httpStatus(queue)).toBe(400);
  });
});

describe("SQS over JSON 1.0 (awsQueryCompatible)", () => {
  it("answers an unknown queue with QueueDoesNotExist and its Query code", async () => {
    const sqs = new SQSClient(config(KEYS.reader));
    const { QueueUrls } = await sqs.send(new ListQueuesCommand({}));
    const missing = QueueUrls?.[0]?.replace(/jobs$/, "gone") ?? "";
    const error = await failure(
      sqs.send(new GetQueueAttributesCommand({ QueueUrl: missing, AttributeNames: ["All"] })),
    );
    expect(error).toBeInstanceOf(sqsSdk.QueueDoesNotExist);
    expect(error).toMatchObject({
      name: "QueueDoesNotExist",
      Code: "AWS.SimpleQueueService.NonExistentQueue",
    });
    expect(httpStatus(error)).toBe(400);
    // A missing queue is not found, whatever its dotted Query code (a 400, not a 404).
    expect(classifyAwsError(error).kind).toBe("not_found");
  });

  it("answers a denial with 403 and AccessDenied, as measured on AWS", async () => {
    const sqs = new SQSClient(config(KEYS.nobody));
    const error = await failure(sqs.send(new ListQueuesCommand({})));
    expect(error).toMatchObject({ name: "AccessDenied", Code: "AccessDenied", Type: "Sender" });
    expect(httpStatus(error)).toBe(403);
    // SQS writes the action in lower case in its denials.
    expect(error.message).toMatch(
      /^User: arn:aws:iam::\d+:user\/nobody is not authorized to perform: sqs:listqueues on resource: .+ because no identity-based policy allows the sqs:listqueues action$/,
    );
    expect(classifyAwsError(error).kind).toBe("access_denied");
  });
});

describe("the table of query-compatible errors", () => {
  it("gives each listed error the Query code and status of the SDK's own schema", () => {
    const schemas = (sdk: Record<string, unknown>): Map<string, [string, number]> =>
      new Map(
        Object.values(sdk)
          .filter((v): v is unknown[] => Array.isArray(v) && v[0] === -3)
          .flatMap((v) => {
            const traits = v[3] as { awsQueryError?: [string, number] } | undefined;
            return traits?.awsQueryError === undefined
              ? []
              : [[v[2] as string, traits.awsQueryError] as const];
          }),
      );
    for (const [model, sdk] of [
      ["monitoring", cloudwatchSdk],
      ["sqs", sqsSdk],
    ] as const) {
      const known = schemas(sdk);
      const listed = modeledQueryErrors(model);
      expect(listed.length).toBeGreaterThan(0);
      for (const entry of listed)
        expect([entry.shape, known.get(entry.shape)]).toEqual([
          entry.shape,
          [entry.queryCode, entry.status],
        ]);
    }
  });
});
