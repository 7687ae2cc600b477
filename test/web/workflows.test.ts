import { randomBytes } from "node:crypto";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemo, type Demo } from "../../scripts/demo-stack.js";
import { expectAccessible, signIn, useBrowser, waitForSettled } from "../helpers/browser.js";

/** Screenshots to look at by hand (the README's pictures come from scripts/screenshots.ts). */
const SHOTS = process.env.WF_SCREENSHOTS ?? "/tmp";

function definition(name: string, regionKey: string): string {
  return [
    `name: ${name}`,
    "description: List the instances, then wait for a person's OK",
    "steps:",
    "  - id: instances",
    "    action: aws.ec2.describeInstances",
    "    connections: [production]",
    `    ${regionKey}: [us-east-1]`,
    "  - id: approve",
    "    approval:",
    "      connection: production",
    "      message: The instances are listed; approve to finish.",
    // alice works alone here: the one who starts a run may approve it only when the step says so.
    "      allowSelfApproval: true",
    "",
  ].join("\n");
}

/** Replaces the editor's whole text, as a paste would (no auto-indent or bracket closing). */
async function replaceText(page: Page, text: string): Promise<void> {
  const editor = page.getByRole("textbox", { name: "Workflow definition" });
  await editor.click();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText(text);
}

async function noSidewaysScroll(page: Page): Promise<void> {
  await waitForSettled(page);
  const overflow = await page.evaluate<number>(
    "document.documentElement.scrollWidth - document.documentElement.clientWidth",
  );
  expect(overflow, `sideways scroll on ${page.url()}`).toBeLessThanOrEqual(0);
}

describe("web UI: workflows", () => {
  const browser = useBrowser();
  let demo: Demo;
  beforeAll(async () => {
    demo = await startDemo();
  });
  afterAll(() => demo.close());

  it("alice writes a two-step workflow, fixes the error the editor marks at its line, saves, runs it and approves the waiting step", async () => {
    const name = `wf-${randomBytes(4).toString("hex")}`;
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.member, "/workflows");
    await page.getByRole("heading", { name: "Workflows" }).waitFor();
    await page.getByRole("link", { name: "New workflow" }).click();
    await page.waitForURL(/\/workflows\/new$/);

    // A wrong key on line 7: the editor marks it there and lists it under the text.
    await replaceText(page, definition(name, "regoins"));
    const problems = page.getByRole("list", { name: "Problems" });
    await problems.getByText(/^line 7, column 5: steps\[0\]/).waitFor();
    expect(await problems.textContent()).toContain("regoins");
    const marked = page.locator(".cm-lintRange-error");
    await expect.poll(() => marked.allTextContents()).toEqual(["regoins"]);
    // The marker is on line 7 of the text.
    expect(
      await page.locator(".cm-content .cm-line").nth(6).locator(".cm-lintRange-error").count(),
    ).toBe(1);
    expect(await page.locator(".cm-lint-marker-error").count()).toBe(1);
    const save = page.getByRole("button", { name: "Save" });
    expect(await save.isDisabled()).toBe(true);
    // The graph follows the text: both steps, with their kinds.
    const graph = page.getByRole("list", { name: "Steps" });
    await graph.getByRole("listitem", { name: "Step 2: approve" }).waitFor();
    await graph.getByRole("img", { name: "Approval" }).waitFor();
    await page.screenshot({ path: `${SHOTS}/wf-editor-error.png`, fullPage: true });
    await expectAccessible(page);

    await replaceText(page, definition(name, "regions"));
    await page.getByRole("status").getByText("The definition is valid.").waitFor();
    await expect.poll(() => marked.count()).toBe(0);
    expect(await problems.count()).toBe(0);
    await expect.poll(() => save.isEnabled()).toBe(true);
    await page.screenshot({ path: `${SHOTS}/wf-editor-valid.png`, fullPage: true });
    await save.click();

    await page.waitForURL(new RegExp(`/workflows/${name}$`));
    await page.getByRole("heading", { name }).waitFor();
    await page.getByRole("list", { name: "Versions" }).getByText("v1").waitFor();
    await page.getByRole("button", { name: "Run", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: `Run ${name}` });
    await dialog.getByText("This workflow takes no inputs.").waitFor();
    await dialog.getByRole("button", { name: "Check before running" }).click();
    const preflight = dialog.getByRole("region", { name: "Preflight" });
    await preflight.getByText("Ready to run").waitFor();
    const steps = preflight.getByRole("table", { name: "Steps of the run" });
    expect(await steps.locator("tbody tr").first().textContent()).toContain("1 target");
    await page.screenshot({ path: `${SHOTS}/wf-preflight.png`, fullPage: true });
    await expectAccessible(page);
    await dialog.getByRole("button", { name: "Start run" }).click();

    // The run page updates by itself until the approval waits.
    await page.waitForURL(/\/runs\/[^/]+$/);
    await page.getByRole("heading", { name: `Run of ${name}` }).waitFor();
    const first = page.getByRole("region", { name: "Step instances" });
    const targets = first.getByRole("table", { name: "Targets of instances" });
    await targets
      .locator("tbody tr")
      .filter({ hasText: "production" })
      .filter({ hasText: "ok" })
      .waitFor();
    const approval = page.getByRole("region", { name: "Approval of approve" });
    await approval.waitFor();
    await approval.getByText("The instances are listed; approve to finish.").waitFor();
    // Who may decide, as the run fixed it when the approval started to wait.
    await approval.getByText(/A person with executor on production may decide/).waitFor();
    await page.screenshot({ path: `${SHOTS}/wf-run-waiting.png`, fullPage: true });
    await expectAccessible(page);

    await approval.getByLabel("Reason").fill("Looked at the list");
    await approval.getByRole("button", { name: "Approve" }).click();
    await page.getByRole("region", { name: "About this run" }).getByText("succeeded").waitFor();
    await page
      .getByRole("region", { name: "Step approve" })
      .getByText("Decided by alice: “Looked at the list”")
      .waitFor();
    await page.getByRole("button", { name: "Cancel run" }).waitFor({ state: "detached" });
    await first
      .getByRole("button", { name: "Output of production us-east-1 in instances" })
      .click();
    await first.getByRole("region", { name: "Output of production · us-east-1" }).waitFor();
    await page.screenshot({ path: `${SHOTS}/wf-run-succeeded.png`, fullPage: true });
    await expectAccessible(page);

    // The list shows the workflow and its last run.
    const runUrl = page.url();
    await page.getByRole("link", { name: "Workflows", exact: true }).click();
    const row = page
      .getByRole("table", { name: "Workflows" })
      .locator("tbody tr")
      .filter({ hasText: name });
    await row.getByText("succeeded").waitFor();

    // On a phone: no sideways scroll on the list, the editor or the run.
    await page.setViewportSize({ width: 390, height: 844 });
    await noSidewaysScroll(page);
    await page.screenshot({ path: `${SHOTS}/wf-list-390.png`, fullPage: true });
    await page.goto(`${demo.url}/workflows/${name}/edit`);
    await page.getByRole("textbox", { name: "Workflow definition" }).waitFor();
    await page.getByRole("status").getByText("The definition is valid.").waitFor();
    await noSidewaysScroll(page);
    await page.screenshot({ path: `${SHOTS}/wf-editor-390.png`, fullPage: true });
    await page.goto(`${demo.url}/workflows/${name}`);
    await page.getByRole("table", { name: "Run history" }).getByText("succeeded").waitFor();
    await noSidewaysScroll(page);
    await page.screenshot({ path: `${SHOTS}/wf-detail-390.png`, fullPage: true });
    await page.goto(runUrl);
    await page.getByRole("region", { name: "Step approve" }).waitFor();
    await noSidewaysScroll(page);
    await page.screenshot({ path: `${SHOTS}/wf-run-390.png`, fullPage: true });
  });

  it("asks before cancelling a run: Keep running leaves it waiting, Cancel run cancels it", async () => {
    const name = `wf-cancel-${randomBytes(4).toString("hex")}`;
    await demo.api("POST", "/workflows", {
      name,
      steps: [
        { id: "wait", approval: { connection: "production", message: "Waits for a person." } },
      ],
    });
    const { id } = await demo.api<{ id: string }>("POST", `/workflows/${name}/runs`, {
      inputs: {},
    });
    const status = async () => (await demo.api<{ status: string }>("GET", `/runs/${id}`)).status;
    for (let i = 0; (await status()) !== "waiting"; i += 1) {
      if (i > 100) throw new Error(`the run is ${await status()}, not waiting`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // The admin started it (the demo's API client), so the admin's page shows it.
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.admin, `/runs/${id}`);
    await page.getByRole("region", { name: "Approval of wait" }).waitFor();

    await page.getByRole("button", { name: "Cancel run" }).click();
    const dialog = page.getByRole("dialog", { name: "Cancel this run?" });
    await dialog.getByText(/A cancelled run can be redriven/).waitFor();
    await expectAccessible(page);
    await dialog.getByRole("button", { name: "Keep running" }).click();
    await dialog.waitFor({ state: "detached" });
    expect(await status()).toBe("waiting");

    await page.getByRole("button", { name: "Cancel run" }).click();
    await dialog.getByRole("button", { name: "Cancel run" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByRole("region", { name: "About this run" }).getByText("cancelled").waitFor();
    expect(await status()).toBe("cancelled");
  });
});
