import { randomBytes } from "node:crypto";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemo, type Demo } from "../../scripts/demo-stack.js";
import { choose, expectAccessible, signIn, useBrowser } from "../helpers/browser.js";

async function terminateCalls(demo: Demo): Promise<number> {
  const response = await fetch(`${demo.emulator.url}/_emulator/calls`);
  const calls = (await response.json()) as { byOperation: Record<string, number> };
  return calls.byOperation["ec2:TerminateInstances"] ?? 0;
}

async function runCount(demo: Demo): Promise<number> {
  const runs = await demo.api<{ items: unknown[] }>("GET", "/runs?limit=500&kind=action");
  return runs.items.length;
}

/** The text of each body row's cells. */
async function cellsOf(table: Locator): Promise<string[][]> {
  const rows = await table.locator("tbody tr").all();
  return Promise.all(rows.map((row) => row.locator("td").allTextContents()));
}

/**
 * A connection with full access to the management account (its admin's keys, which may
 * terminate instances), in two regions.
 */
async function fullConnection(demo: Demo): Promise<string> {
  const name = `admin-full-${randomBytes(3).toString("hex")}`;
  const secretPath = `keys/system/test/${name}`;
  await demo.api("POST", "/secrets", {
    path: secretPath,
    value: "management-admin-secret-0000000000000000",
  });
  await demo.api("POST", "/connections", {
    name,
    method: "access_key",
    accessKeyId: "AKIAMANAGEMENTADMIN1",
    secretPath,
    access: "full",
    endpoint: demo.emulator.url,
    regions: ["us-east-1", "us-east-2"],
  });
  // A test learns its account id, as the plan shows it.
  await demo.api("POST", `/connections/${name}/test`);
  return name;
}

/** aws.call ec2 TerminateInstances (DryRun: AWS checks the permission and changes nothing). */
async function fillTerminate(page: Page, connection: string): Promise<void> {
  await choose(page, "Connections to run on", new RegExp(`^${connection} \\d`));
  await choose(page, "Connections to run on", /^production \d/);
  await page.keyboard.press("Escape");
  await page.getByText("Choose regions").click();
  await choose(page, "Regions to run in", /^us-east-1$/);
  await choose(page, "Regions to run in", /^us-east-2$/);
  await page.keyboard.press("Escape");
  await page.getByLabel(/^service/).fill("ec2");
  await page.getByLabel(/^operation/).fill("TerminateInstances");
  await page.getByLabel(/^input/).fill('{"InstanceIds": ["i-0a1b2c3d4e5f60001"], "DryRun": true}');
  await page.getByText("ec2:TerminateInstances", { exact: true }).first().waitFor();
}

describe("web UI: a write asks first", () => {
  const browser = useBrowser();
  let demo: Demo;
  beforeAll(async () => {
    demo = await startDemo();
  });
  afterAll(() => demo.close());

  it("shows a write fan-out's plan and runs it once its target count is typed", async () => {
    const connection = await fullConnection(demo);
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.admin, "/actions/aws.call");
    await fillTerminate(page, connection);
    const before = await terminateCalls(demo);
    await page.getByRole("button", { name: "Run", exact: true }).click();

    // The plan: the IAM action, its access level, the targets, and those refused.
    const plan = page.getByRole("dialog", { name: "Confirm a change" });
    await plan.waitFor();
    expect(await plan.getByRole("group", { name: "Plan summary" }).textContent()).toBe(
      "4 targets2 will run2 refused",
    );
    expect(await plan.textContent()).toContain("ec2:TerminateInstances");
    expect(await plan.textContent()).toContain("access level Write");
    const rows = await cellsOf(plan.getByRole("table", { name: "Planned targets" }));
    expect(rows.map((r) => r.slice(0, 3))).toEqual([
      [connection, "111111111111", "us-east-1"],
      [connection, "111111111111", "us-east-2"],
      ["production", "222222222222", "us-east-1"],
      ["production", "222222222222", "us-east-2"],
    ]);
    expect(rows.map((r) => r[3])).toEqual(["will run", "will run", "refused", "refused"]);
    const why = await plan.getByRole("list", { name: "Why targets are left out" }).textContent();
    expect(why).toMatch(/^2 targets: .*production.*ReadOnlyAccess/);
    await expectAccessible(page);

    // Only the exact number of targets it will be sent to lets it run.
    const confirm = plan.getByRole("button", { name: "Run on 2 targets" });
    const typed = plan.getByLabel("Type 2 to run it on 2 targets");
    await typed.fill("4");
    expect(await confirm.isDisabled()).toBe(true);
    await typed.fill("2");
    await confirm.click();
    await plan.waitFor({ state: "detached" });

    const summary = page.getByRole("group", { name: "Run summary" });
    await summary.getByRole("link", { name: "Open run" }).waitFor();
    // Both calls reached AWS: in us-east-1 the DryRun would have terminated the instance (and
    // changed nothing); us-east-2 has no such instance.
    expect(await summary.textContent()).toMatch(/^4 targets1 ok1 failed2 refused/);
    expect((await terminateCalls(demo)) - before).toBe(2);
    await page.getByRole("button", { name: `Output of ${connection} us-east-1` }).click();
    const output = page.getByRole("region", { name: `Output of ${connection} · us-east-1` });
    await output.getByRole("button", { name: "Expand all" }).click();
    await output.getByText('"would succeed"').waitFor();
  });

  it("sends nothing when the plan of a write is cancelled", async () => {
    const connection = await fullConnection(demo);
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.admin, "/actions/aws.call");
    await fillTerminate(page, connection);
    const [callsBefore, runsBefore] = [await terminateCalls(demo), await runCount(demo)];
    await page.getByRole("button", { name: "Run", exact: true }).click();
    const plan = page.getByRole("dialog", { name: "Confirm a change" });
    await plan.getByLabel("Type 2 to run it on 2 targets").fill("2");
    await plan.getByRole("button", { name: "Cancel" }).click();
    await plan.waitFor({ state: "detached" });

    expect(await page.getByRole("region", { name: "Results" }).count()).toBe(0);
    expect(await terminateCalls(demo)).toBe(callsBefore);
    expect(await runCount(demo)).toBe(runsBefore);
    await expectAccessible(page);
  });

  it("suggests the closest operation for a typo and puts it in the form", async () => {
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.member, "/actions/aws.call");
    await choose(page, "Connections to run on", /^production \d/);
    await page.getByLabel(/^service/).fill("ec2");
    await page.getByLabel(/^operation/).fill("DescribeInstance");
    await page.getByRole("button", { name: "Run", exact: true }).click();

    const suggestion = page.getByRole("group", { name: "Did you mean" }).last();
    await suggestion.getByRole("button", { name: "DescribeInstances", exact: true }).click();
    expect(await page.getByLabel(/^operation/).inputValue()).toBe("DescribeInstances");
    await expectAccessible(page);
    await page.getByRole("button", { name: "Run", exact: true }).click();
    const summary = page.getByRole("group", { name: "Run summary" });
    await summary.getByRole("link", { name: "Open run" }).waitFor();
    expect(await summary.textContent()).toMatch(/^\d+ targets\d+ ok/);
  });

  it("suggests the closest action for a mistyped action id", async () => {
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.member, "/actions/aws.ec2.describeInstance");
    await page
      .getByRole("group", { name: "Did you mean" })
      .getByRole("link", { name: "aws.ec2.describeInstances" })
      .click();
    await page.waitForURL(/\/actions\/aws\.ec2\.describeInstances$/);
    await page.getByRole("heading", { name: "Describe instances" }).waitFor();
  });
});
