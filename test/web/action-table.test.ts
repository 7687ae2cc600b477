import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_REGIONS, startDemo, type Demo } from "../../scripts/demo-stack.js";
import { choose, expectAccessible, signIn, useBrowser } from "../helpers/browser.js";

/** RFC 4180 lines into cells (quoted cells may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += c;
  }
  if (cell !== "" || row.length > 0) rows.push([...row, cell]);
  return rows;
}

// The demo world's instances: the management account's one, production's three, staging's one.
const INSTANCES = [
  ["111111111111", "management", "us-east-1", "i-0a1b2c3d4e5f60001"],
  ["222222222222", "production", "us-east-1", "i-0b1b2c3d4e5f60001"],
  ["222222222222", "production", "us-east-1", "i-0b1b2c3d4e5f60002"],
  ["222222222222", "production", "us-east-1", "i-0b1b2c3d4e5f60003"],
  ["333333333333", "staging", "eu-west-1", "i-0c1b2c3d4e5f60001"],
];

describe("web UI: results as tables", () => {
  const browser = useBrowser();
  let demo: Demo;
  beforeAll(async () => {
    demo = await startDemo();
  });
  afterAll(() => demo.close());

  it("shows describeInstances over 3 accounts × all regions as one table of instances, and downloads it as CSV", async () => {
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.admin, "/actions/aws.ec2.describeInstances");
    for (const name of ["management", "production", "staging"])
      await choose(page, "Connections to run on", new RegExp(`^${name} \\d`));
    const targets = DEMO_REGIONS.length * 3;
    await page.getByText(`3 connections · ${targets} targets`).waitFor();
    await page.getByRole("button", { name: "Run", exact: true }).click();

    const summary = page.getByRole("group", { name: "Run summary" });
    await summary.getByRole("link", { name: "Open run" }).waitFor();
    expect(await summary.textContent()).toContain(`${targets} ok`);
    expect(await summary.textContent()).toContain(`${INSTANCES.length} items`);

    // Each target says how many instances its output holds.
    const rows = page.getByRole("table", { name: "Targets" }).locator("tbody tr");
    expect(await rows.count()).toBe(targets);
    const counts = new Map<string, string>();
    for (const row of await rows.all()) {
      // connection, account, region, status, items, duration, error, output
      const cells = await row.locator("td").allTextContents();
      counts.set(`${cells[0]} ${cells[2]}`, cells[4] ?? "");
    }
    expect(counts.get("production us-east-1")).toBe("3");
    expect(counts.get("staging eu-west-1")).toBe("1");
    expect(counts.get("staging us-west-2")).toBe("0");

    await page.getByText(`Table of items (${INSTANCES.length})`).click();
    const table = page.getByRole("table", { name: "Items of aws.ec2.describeInstances" });
    await table.waitFor();
    const headers = await table.locator("thead th").allTextContents();
    expect(headers.slice(0, 4)).toEqual(["account", "connection", "region", "InstanceId"]);
    expect(headers).toContain("State.Name");
    expect(await table.locator("tbody tr").count()).toBe(INSTANCES.length);
    await expectAccessible(page);

    // Filter, then sort by a field of the instances.
    const filter = page.getByLabel("Filter Items of aws.ec2.describeInstances");
    await filter.fill("stopped");
    await expect.poll(() => table.locator("tbody tr").count()).toBe(1);
    expect(await table.locator("tbody tr").first().textContent()).toContain("i-0b1b2c3d4e5f60003");
    await filter.fill("");
    await table
      .locator("thead th")
      .filter({ hasText: /^InstanceType$/ })
      .click();
    await expect
      .poll(async () =>
        (await table.locator("tbody tr").allTextContents()).map((t) => /t3|m6i|r6g/.exec(t)?.[0]),
      )
      .toEqual(["m6i", "m6i", "r6g", "t3", "t3"]);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page
        .getByRole("button", { name: "Download Items of aws.ec2.describeInstances as CSV" })
        .click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^aws\.ec2\.describeInstances-[0-9a-f-]+\.csv$/);
    const csv = parseCsv(fs.readFileSync(await download.path(), "utf8"));
    const [header = [], ...lines] = csv;
    expect(header.slice(0, 4)).toEqual(["account", "connection", "region", "InstanceId"]);
    const at = (name: string) => header.indexOf(name);
    expect(
      lines
        .map((l) => [l[at("account")], l[at("connection")], l[at("region")], l[at("InstanceId")]])
        .sort((a, b) => String(a[3]).localeCompare(String(b[3]))),
    ).toEqual(INSTANCES);
    const reporting = lines.find((l) => l[at("InstanceId")] === "i-0b1b2c3d4e5f60003");
    expect(reporting?.[at("State.Name")]).toBe("stopped");
    expect(reporting?.[at("Tags")]).toBe("Name=reporting, env=production");

    // The stored run shows the same counts and table.
    await summary.getByRole("link", { name: "Open run" }).click();
    await page.getByRole("heading", { name: "Run of aws.ec2.describeInstances" }).waitFor();
    const runTargets = page.getByRole("table", { name: "Targets" }).locator("tbody tr");
    await runTargets.first().waitFor();
    expect(await page.getByRole("group", { name: "Run summary" }).textContent()).toContain(
      `${INSTANCES.length} items`,
    );
    await page.getByText(`Table of items (${INSTANCES.length})`).click();
    const stored = page.getByRole("table", { name: "Items of aws.ec2.describeInstances" });
    await expect.poll(() => stored.locator("tbody tr").count()).toBe(INSTANCES.length);
    await expectAccessible(page);
  });

  it("shows done / total while a fan-out streams", async () => {
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.member, "/actions/aws.ec2.describeInstances");
    await choose(page, "Connections to run on", /^production \d/);
    await choose(page, "Connections to run on", /^staging \d/);
    const targets = DEMO_REGIONS.length * 2;
    // Every EC2 answer takes seconds: the run is still streaming when the page is read.
    demo.emulator.setKnobs({ latencyMs: { ec2: 6000 } });
    try {
      await page.getByRole("button", { name: "Run", exact: true }).click();
      const progress = page.getByRole("group", { name: "Progress" });
      await progress.getByText(new RegExp(`^\\d+ / ${targets} done`)).waitFor();
      const summary = page.getByRole("group", { name: "Run summary" });
      await summary.getByRole("link", { name: "Open run" }).waitFor({ timeout: 60_000 });
      expect(await progress.count()).toBe(0);
      expect(await summary.textContent()).toContain(`${targets} ok`);
      await expectAccessible(page);
    } finally {
      demo.emulator.setKnobs({ latencyMs: 0 });
    }
  });

  it("shows a Logs Insights query's rows as a table with the query's fields as columns", async () => {
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.member, "/actions/aws.logs.runQuery");
    await choose(page, "Connections to run on", /^production\b/);
    await page.getByText("Choose regions").click();
    await choose(page, "Regions to run in", /^us-east-1$/);
    const groups = page.getByRole("combobox", { name: /^logGroupNames/ });
    await groups.fill("/ecs/frontend");
    await groups.press("Enter");
    await page
      .getByLabel(/^queryString/)
      .fill("fields @timestamp, path | filter status >= 500 | stats count() by path");
    await page.getByRole("button", { name: "Run", exact: true }).click();

    // One target: its output opens, as the table of the query's rows.
    const output = page.getByRole("region", { name: "Output of production · us-east-1" });
    const table = output.getByRole("table", { name: "rows of production us-east-1" });
    await table.waitFor();
    expect(await table.locator("thead th").allTextContents()).toEqual(["path", "count()"]);
    const cells = await Promise.all(
      (await table.locator("tbody tr").all()).map((tr) => tr.locator("td").allTextContents()),
    );
    expect(cells).toEqual([
      ["/checkout", "42"],
      ["/login", "7"],
    ]);
    await expectAccessible(page);

    // The JSON is one click away.
    await output
      .getByRole("radiogroup", { name: "Show the output of production us-east-1 as" })
      .getByText("JSON")
      .click();
    await output.getByRole("button", { name: /^output of production us-east-1/ }).waitFor();
  });
});
