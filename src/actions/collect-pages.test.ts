import { Readable } from "node:stream";
import { EC2Client, paginateDescribeInstances } from "@aws-sdk/client-ec2";
import { HttpResponse } from "@smithy/protocol-http";
import { describe, expect, it } from "vitest";
import type { ActionContext } from "./action-definition.js";
import { awsCallAction } from "./aws-call.js";
import { collectPages, MAX_PAGES } from "./collect-pages.js";
import { paging } from "./paging.js";
import { MAX_OUTPUT_BYTES, storeOutput } from "../runs/index.js";

type Page = { Items?: unknown[]; NextToken?: string; Count?: number; $metadata?: object };

// A paginator that never ends by itself: `page(n)` makes the n-th page (from 0). It throws past
// `guard` pages, so a collectPages that would loop forever fails the test instead of hanging it.
function endless(page: (n: number) => Page, guard = 20_000) {
  const pulls = { count: 0 };
  async function* pages(): AsyncGenerator<Page> {
    for (;;) {
      if (pulls.count >= guard) throw new Error(`collectPages pulled ${String(guard)} pages`);
      yield page(pulls.count++);
      await Promise.resolve();
    }
  }
  return { pages: pages(), pulls };
}

async function* finite(pages: Page[]): AsyncGenerator<Page> {
  for (const page of pages) {
    await Promise.resolve();
    yield page;
  }
}

describe("collectPages", () => {
  it("joins the list fields of every page and keeps the other fields of the last one, without tokens", async () => {
    const result = await collectPages(
      finite([
        { Items: [1, 2], NextToken: "a", Count: 2, $metadata: {} },
        { Items: [3], Count: 1, $metadata: {} },
      ]),
      ["Items"],
      undefined,
    );
    expect(result).toEqual({ Items: [1, 2, 3], Count: 1 });
  });

  it("takes the arrays of the first page as the list fields when none are named", async () => {
    const result = await collectPages(
      finite([
        { Items: ["a"], NextToken: "t1" },
        { Items: ["b"], Count: 7 },
      ]),
      undefined,
      undefined,
    );
    expect(result).toEqual({ Items: ["a", "b"], Count: 7 });
    expect(await collectPages(finite([]), undefined, undefined)).toEqual({});
  });

  it("stops pulling pages at maxItems and says so in truncatedAtMaxItems", async () => {
    const { pages, pulls } = endless((n) => ({ Items: [n * 2, n * 2 + 1], NextToken: `t${n}` }));
    const result = await collectPages(pages, ["Items"], 5);
    expect(result).toEqual({ Items: [0, 1, 2, 3, 4], truncatedAtMaxItems: 5 });
    expect(pulls.count).toBe(3);
  });

  it(`stops an endless paginator after ${String(MAX_PAGES)} pages and marks the output as cut`, async () => {
    const { pages, pulls } = endless((n) => ({ Items: [n], NextToken: `token-${n}` }));
    const result = await collectPages(pages, ["Items"], undefined);
    expect((result.Items as unknown[]).length).toBe(MAX_PAGES);
    expect(result.truncated).toMatchObject({
      reason: "pageLimit",
      pages: MAX_PAGES,
      items: MAX_PAGES,
    });
    expect(pulls.count).toBeLessThanOrEqual(MAX_PAGES + 1);
  });

  it("stops before the joined lists pass the output cap, so the cut output is still stored whole", async () => {
    const item = { Name: "x".repeat(100_000) };
    const { pages, pulls } = endless((n) => ({ Items: [item, item, item], NextToken: `t${n}` }));
    const result = await collectPages(pages, ["Items"], undefined);
    const kept = (result.Items as unknown[]).length;
    expect(result.truncated).toMatchObject({ reason: "outputCap", items: kept });
    expect(kept).toBeGreaterThan(30);
    expect(pulls.count).toBeLessThan(20);
    const stored = storeOutput(result);
    expect(stored.truncated).toBe(false);
    expect(stored.bytes).toBeLessThanOrEqual(MAX_OUTPUT_BYTES);
    expect(stored.shown).toHaveProperty("truncated.reason", "outputCap");
  });

  it("stops when a page hands back the token of the page before, as the SDK's stopOnSameToken does", async () => {
    const { pages, pulls } = endless((n) => ({ Items: [n], NextToken: "same" }));
    const result = await collectPages(pages, ["Items"], undefined);
    expect(result).toEqual({ Items: [0, 1] });
    expect(pulls.count).toBe(2);
  });

  it("stops and marks the output when the tokens go round in a cycle", async () => {
    const { pages, pulls } = endless((n) => ({ Items: [n], NextToken: `t${n % 3}` }));
    const result = await collectPages(pages, ["Items"], undefined);
    expect(result).toMatchObject({
      Items: [0, 1, 2, 3],
      truncated: { reason: "repeatedToken", pages: 4, items: 4 },
    });
    expect(pulls.count).toBe(4);
  });
});

// EC2's answer with a NextToken that never changes, as the emulator once gave for MaxResults=abc.
function sameTokenEc2(): { client: EC2Client; requests: { count: number } } {
  const requests = { count: 0 };
  const body = `<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>r</requestId><reservationSet><item><reservationId>r-1</reservationId></item></reservationSet>
    <nextToken>same</nextToken></DescribeInstancesResponse>`;
  const client = new EC2Client({
    region: "us-east-1",
    credentials: { accessKeyId: "AKIAFAKE", secretAccessKey: "fake" },
    maxAttempts: 1,
    requestHandler: {
      handle: async () => {
        requests.count += 1;
        await Promise.resolve();
        if (requests.count > 50) throw new Error("still paging after 50 requests");
        return {
          response: new HttpResponse({
            statusCode: 200,
            headers: { "content-type": "text/xml" },
            body: Readable.from([Buffer.from(body)]),
          }),
        };
      },
    },
  });
  return { client, requests };
}

function context(client: EC2Client): ActionContext {
  return {
    region: "us-east-1",
    regions: ["us-east-1"],
    client: <C>() => client as C,
    maxItems: undefined,
    pageSize: undefined,
    signal: new AbortController().signal,
    sleep: async () => {},
  };
}

describe("paginators Switchboard drives", () => {
  it("are configured with stopOnSameToken for catalog actions", () => {
    const { client } = sameTokenEc2();
    expect(paging(context(client), EC2Client)).toMatchObject({ stopOnSameToken: true });
    expect(paging({ ...context(client), pageSize: 5 }, EC2Client)).toEqual({
      client,
      pageSize: 5,
      stopOnSameToken: true,
    });
  });

  it("end when EC2 hands back the same NextToken, for a catalog paginator and for aws.call", async () => {
    const catalog = sameTokenEc2();
    const pages: unknown[] = [];
    for await (const page of paginateDescribeInstances(
      paging(context(catalog.client), EC2Client),
      {},
    ))
      pages.push(page);
    expect(pages).toHaveLength(2);
    expect(catalog.requests.count).toBe(2);

    const call = sameTokenEc2();
    const output = await awsCallAction.run(context(call.client), {
      service: "ec2",
      operation: "DescribeInstances",
      input: { MaxResults: "abc" },
    });
    expect(output).toMatchObject({
      Reservations: [{ ReservationId: "r-1" }, { ReservationId: "r-1" }],
    });
    expect(call.requests.count).toBe(2);
  });
});
