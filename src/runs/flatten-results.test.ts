import { describe, expect, it } from "vitest";
import { itemCount, itemTable, mainList, toCsv } from "./flatten-results.js";

const instances = (ids: string[]) => ({
  Reservations: [
    {
      ReservationId: "r-1",
      Instances: ids.map((id) => ({ InstanceId: id, State: { Name: "running" } })),
    },
  ],
});

describe("flattening results", () => {
  it("finds the main list: EC2's instances inside reservations, a query's rows, else the first list", () => {
    expect(mainList(instances(["i-1", "i-2"]))).toMatchObject({ name: "Instances" });
    expect(itemCount(instances(["i-1", "i-2"]))).toBe(2);
    expect(mainList({ queryId: "q", statistics: {}, rows: [{ a: 1 }] })?.name).toBe("rows");
    expect(mainList({ clusterArns: ["a"], failures: [] })?.name).toBe("clusterArns");
    expect(itemCount({ Account: "1", Arn: "x" })).toBeUndefined();
  });

  it("makes one table of every target's items, with where each came from", () => {
    const table = itemTable([
      { connection: "a", accountId: "111", region: "us-east-1", output: instances(["i-1"]) },
      { connection: "b", accountId: "222", region: "eu-west-1", output: instances(["i-2", "i-3"]) },
      { connection: "c", accountId: null, region: "us-east-1" },
    ]);
    expect(table.columns).toEqual(["account", "connection", "region", "InstanceId", "State.Name"]);
    expect(table.rows.map((r) => [r.account, r.connection, r.InstanceId])).toEqual([
      ["111", "a", "i-1"],
      ["222", "b", "i-2"],
      ["222", "b", "i-3"],
    ]);
  });

  it("writes RFC 4180 CSV, with a spreadsheet formula made text", () => {
    expect(
      toCsv(
        ["a", "b"],
        [
          { a: 'say "hi", then', b: "=HYPERLINK(1)" },
          { a: 1, b: [{ Key: "env", Value: "prod" }] },
        ],
      ),
    ).toBe('a,b\r\n"say ""hi"", then",\'=HYPERLINK(1)\r\n1,env=prod\r\n');
  });

  it("makes text of a formula that a tag list or an object would start with, never of a number", () => {
    expect(
      toCsv(["tags", "n"], [{ tags: [{ Key: '=HYPERLINK("http://x")', Value: "a" }], n: -5 }]),
    ).toBe('tags,n\r\n"\'=HYPERLINK(""http://x"")=a",-5\r\n');
  });
});
