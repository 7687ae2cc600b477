import { describe, expect, it } from "vitest";
import { itemCount, itemTable, toCsv } from "./flatten-results.js";

const reservations = (ids: string[]) => ({
  Reservations: [
    {
      ReservationId: "r-1",
      Instances: ids.map((id) => ({
        Tags: [{ Key: "Name", Value: id }],
        InstanceId: id,
        State: { Code: 16, Name: "running" },
      })),
    },
  ],
});

describe("itemTable", () => {
  it("flattens every target's instances into rows with account, connection and region", () => {
    const table = itemTable([
      {
        connection: "prod",
        accountId: "222222222222",
        region: "us-east-1",
        output: reservations(["i-1", "i-2"]),
      },
      {
        connection: "stage",
        accountId: "333333333333",
        region: "eu-west-1",
        output: reservations([]),
      },
      { connection: "dev", accountId: null, region: "us-east-2" },
    ]);
    expect(table.list).toBe("Instances");
    expect(table.columns).toEqual([
      "account",
      "connection",
      "region",
      "InstanceId",
      "Tags",
      "State.Code",
      "State.Name",
    ]);
    expect(table.rows.map((r) => [r.connection, r.InstanceId, r["State.Name"]])).toEqual([
      ["prod", "i-1", "running"],
      ["prod", "i-2", "running"],
    ]);
    expect(itemCount(reservations(["i-1", "i-2"]))).toBe(2);
  });

  it("puts the fields that name an item first, the others as first seen", () => {
    const table = itemTable([
      {
        connection: "c",
        accountId: "1",
        region: "r",
        output: { Functions: [{ Runtime: "nodejs20.x", FunctionArn: "arn:f", FunctionName: "f" }] },
      },
    ]);
    expect(table.columns.slice(3)).toEqual(["FunctionName", "FunctionArn", "Runtime"]);
  });

  it("writes CSV a spreadsheet cannot run: formulas quoted as text, quotes doubled", () => {
    const csv = toCsv(
      ["@timestamp", "message"],
      [{ "@timestamp": "2026-12-04", message: '=HYPERLINK("x")' }],
    );
    expect(csv).toBe('@timestamp,message\r\n2026-12-04,"\'=HYPERLINK(""x"")"\r\n');
  });
});
