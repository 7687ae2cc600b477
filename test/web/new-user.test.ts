import { randomBytes } from "node:crypto";
import type { Locator, Page, Route } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemo, type Demo } from "../../scripts/demo-stack.js";
import { expectAccessible, signIn, useBrowser } from "../helpers/browser.js";

/**
 * What a new user tripped over walking through Switchboard in a browser: each test is one of
 * those walks, on the demo world.
 */
describe("web UI: a new user's first walk", () => {
  const browser = useBrowser();
  let demo: Demo;
  beforeAll(async () => {
    demo = await startDemo();
  });
  afterAll(() => demo.close());

  const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString("hex")}`;

  /** A server-identity connection to the demo's emulator in us-east-1. */
  const serverIdentityConnection = (name: string) =>
    demo.api("POST", "/connections", {
      name,
      method: "ambient",
      endpoint: demo.emulator.url,
      regions: ["us-east-1"],
    });

  /** Presses Tab until the focused element's text is `text` (at most `limit` presses). */
  async function tabTo(page: Page, text: string, limit = 40): Promise<void> {
    for (let i = 0; i < limit; i++) {
      await page.keyboard.press("Tab");
      const focused = await page.evaluate<string>(
        "(document.activeElement?.textContent ?? '').trim()",
      );
      if (focused === text) return;
    }
    throw new Error(`${limit} presses of Tab never reached "${text}"`);
  }

  it("explains a refused password on its input on the setup page, in the form's words", async () => {
    const created = await demo.api<{ setupUrl: string }>("POST", "/users", {
      name: unique("newcomer"),
    });
    const page = await browser.newPage();
    await page.goto(created.setupUrl);
    await page.getByLabel("New password").fill("too-short");
    await page.getByLabel("Repeat the password").fill("too-short");
    await page.getByRole("button", { name: "Set password" }).click();
    // Under the input, in its words, and read out with it.
    const said = page.getByText("expected at least 12 characters", { exact: true });
    await said.waitFor();
    const saidId = (await said.getAttribute("id")) ?? "";
    expect(saidId).not.toBe("");
    const describedBy =
      (await page.getByLabel("New password").getAttribute("aria-describedby")) ?? "";
    expect(describedBy.split(" ")).toContain(saidId);
    expect(await page.locator("body").textContent()).not.toContain("body.password");
    await expectAccessible(page);
  });

  it("reaches Settings and its pages with the keyboard alone", async () => {
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.admin, "/connections");
    await page.getByRole("heading", { name: "Connections", exact: true }).waitFor();
    await tabTo(page, "Settings");
    await page.keyboard.press("Enter");
    await tabTo(page, "Users", 3);
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/settings\/users$/);
    await page.getByRole("heading", { name: "Users" }).waitFor();
  });

  it("runs a workflow and approves its waiting step with the keyboard alone", async () => {
    const name = unique("keys");
    await demo.api("POST", "/workflows", {
      name,
      steps: [
        {
          id: "instances",
          action: "aws.ec2.describeInstances",
          connections: ["production"],
          regions: ["us-east-1"],
        },
        {
          id: "approve",
          approval: { connection: "production", message: "OK?", allowSelfApproval: true },
        },
      ],
    });
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.admin, `/workflows/${name}`);
    await page.getByRole("heading", { name }).waitFor();
    await tabTo(page, "Run");
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: `Run ${name}` });
    await tabTo(page, "Check before running", 6);
    await page.keyboard.press("Enter");
    await dialog.getByText("Ready to run").waitFor();
    // The focus stayed in the dialog, on what comes next.
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/runs\/[^/]+$/);
    await page.getByRole("region", { name: "Approval of approve" }).waitFor();
    await tabTo(page, "Approve", 80);
    await page.keyboard.press("Enter");
    await page.getByRole("region", { name: "About this run" }).getByText("succeeded").waitFor();
  });

  it("shows each target's new outcome once a redriven run settles, not the 'started' of mid-redrive; dates one way", async () => {
    const name = unique("redrive");
    // No such instance: both targets fail, again on the redrive.
    await demo.api("POST", "/workflows", {
      name,
      steps: [
        {
          id: "lookup",
          action: "aws.ec2.describeInstances",
          connections: ["production"],
          regions: ["us-east-1", "eu-west-1"],
          input: { InstanceIds: ["i-0000000000000dead"] },
        },
      ],
    });
    const { id } = await demo.api<{ id: string }>("POST", `/workflows/${name}/runs`, {
      inputs: {},
    });
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.admin, `/runs/${id}`);
    const about = page.getByRole("region", { name: "About this run" });
    await about.getByText("failed").waitFor();
    const rows = page
      .getByRole("region", { name: "Step lookup" })
      .getByRole("table", { name: "Targets of lookup" })
      .locator("tbody tr");
    await expect.poll(() => rows.filter({ hasText: "InvalidInstanceID.NotFound" }).count()).toBe(2);

    await page.getByRole("button", { name: "Redrive" }).click();
    // Both targets ran a second time and failed again: the table says so without a reload.
    await expect
      .poll(() => rows.filter({ hasText: "×2" }).filter({ hasText: "InvalidInstanceID" }).count(), {
        timeout: 30_000,
      })
      .toBe(2);
    expect(await rows.filter({ hasText: /started/i }).count()).toBe(0);
    await about.getByText("failed").waitFor();

    // One way of writing a moment on the page: the run's start as its step's.
    const runStarted = /\(([^)]+)\)/.exec((await about.textContent()) ?? "")?.[1];
    const stepStarted = await page
      .getByRole("region", { name: "Step lookup" })
      .locator("time")
      .first()
      .textContent();
    const shape = (text: string | null | undefined) => text?.replace(/\d/g, "0");
    expect(shape(runStarted)).toBe(shape(stepStarted));
  });

  it("keeps the ExternalId a test issued when Test is clicked before the trust policy came", async () => {
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.admin, "/connections/new");
    // The documents beside the form answer only once the test has: a quick paste and click.
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    await page.route("**/api/v1/connections/setup-documents*", async (route: Route) => {
      await released;
      await route.continue();
    });
    await page.getByLabel(/^Name/).fill(unique("quick"));
    await page.getByLabel(/^Role ARN/).fill("arn:aws:iam::222222222222:role/switchboard-read");
    await page.getByLabel(/^Endpoint/).fill(demo.emulator.url);
    await page.getByRole("button", { name: "Test connection" }).click();
    const outcome = page.getByRole("region", { name: "Test and save" });
    // The demo's role trusts another ExternalId: AWS refuses, and says so.
    await outcome.getByText("What AWS said").waitFor();
    release();

    const documents = page.getByRole("region", { name: "Trust policy and template" });
    const shown = documents.getByText(/^switchboard-[\w-]+$/).first();
    await shown.waitFor();
    const externalId = (await shown.textContent()) ?? "";
    // The guide, the trust policy and the test all name the one ExternalId: nothing changed.
    await page
      .getByRole("region", { name: /^Set up in AWS/ })
      .getByText(externalId)
      .waitFor();
    expect(await outcome.textContent()).not.toContain("Settings changed since this test");
    expect(await outcome.textContent()).toContain("What AWS said");
  });

  it("keeps the keyboard at Test connection once a test answers, beside Save", async () => {
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.admin, "/connections/new");
    await page.getByText("Server identity", { exact: true }).click();
    await page.getByLabel(/^Name/).fill(unique("kbd"));
    await page.getByLabel(/^Endpoint/).fill(demo.emulator.url);
    await page.getByRole("button", { name: "Test connection" }).focus();
    await page.keyboard.press("Enter");
    await page
      .getByRole("region", { name: "Test and save" })
      .getByText("AWS accepts this connection")
      .waitFor();
    const focused = () =>
      page.evaluate<string>("(document.activeElement?.textContent ?? '').trim()");
    await expect.poll(focused).toBe("Test connection");
    await tabTo(page, "Save connection", 3);
  });

  it("gives the keyboard back to any button that was busy, not only the connection form's", async () => {
    const name = unique("refocus");
    await serverIdentityConnection(name);
    const page = await browser.newPage();
    // The test's answer is held until the button has shown that it is busy, so the focus is
    // dropped for certain before it comes back.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(`**/api/v1/connections/${name}/test`, async (route: Route) => {
      await held;
      await route.continue();
    });
    await signIn(page, demo.url, demo.admin, `/connections/${name}`);
    const testButton = page.getByRole("button", { name: "Test", exact: true });
    await testButton.focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => testButton.isDisabled()).toBe(true);
    release();
    await page.getByText(`${name} works`).waitFor();
    await expect
      .poll(() => page.evaluate<string>("(document.activeElement?.textContent ?? '').trim()"))
      .toBe("Test");
  });

  it("says a template attaches the policy only for the methods that have one", async () => {
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.admin, "/connections/new");
    const guide = page.getByRole("region", { name: /^Set up in AWS/ });
    await guide.getByText(/ReadOnlyAccess policy \(the template does this\)/).waitFor();
    for (const method of ["Server identity", "Access key"]) {
      await page.getByText(method, { exact: true }).click();
      await guide
        .getByText(/ReadOnlyAccess/)
        .first()
        .waitFor();
      expect(await guide.textContent()).not.toContain("the template does this");
    }
    await page.getByText("Web identity (OIDC)", { exact: true }).click();
    await guide.getByText(/ReadOnlyAccess policy \(the template does this\)/).waitFor();
  });

  it("offers an access key's secret from the key store, not a workflow's webhook secret", async () => {
    const name = unique("hooked");
    await demo.api("POST", "/workflows", {
      name,
      steps: [{ id: "noop", transform: "${{ 1 }}" }],
      triggers: [{ webhook: {} }],
    });
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.admin, "/connections/new");
    await page.getByText("Access key", { exact: true }).click();
    await page.getByRole("combobox", { name: /key-store path/ }).click();
    await page.getByRole("option", { name: "keys/system/demo/management-switchboard" }).waitFor();
    const offered = await page.getByRole("option").allTextContents();
    expect(offered.filter((o) => o.endsWith("/webhook"))).toEqual([]);
  });

  it("says in the key store what a workflow's webhook secret is for and how to rotate it", async () => {
    const name = unique("hookinfo");
    await demo.api("POST", "/workflows", {
      name,
      steps: [{ id: "noop", transform: "${{ 1 }}" }],
      triggers: [{ webhook: {} }],
    });
    const { items } = await demo.api<{ items: { path: string }[] }>("GET", "/secrets?limit=500");
    // Its path names the workflow by its id, time-ordered: the last webhook secret is this one.
    const mine = items
      .map((i) => i.path)
      .filter((p) => p.endsWith("/webhook"))
      .sort()
      .at(-1);
    expect(mine).toBeDefined();
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.admin, `/keystore?path=${encodeURIComponent(mine ?? "")}`);
    await page.getByText(/^the webhook of a workflow: it signs the calls/).waitFor();
    expect(await page.getByText("no connection you can see").count()).toBe(0);
    // Kept by Switchboard: no Replace or Delete (the API refuses both with MANAGED_SECRET).
    expect(await page.getByRole("button", { name: "Replace value" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Delete" }).count()).toBe(0);
  });

  it("tells a keyboard user how to leave the workflow editor, where Tab indents", async () => {
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.member, "/workflows/new");
    const editor = page.getByRole("textbox", { name: "Workflow definition" });
    await editor.focus();
    const hintId = (await editor.getAttribute("aria-describedby")) ?? "";
    expect(hintId).not.toBe("");
    const hint = await page.locator(`[id="${hintId}"]`).textContent();
    expect(hint).toContain("press Esc, then Tab");
    const inEditor = () =>
      page.evaluate<boolean>("document.activeElement?.classList.contains('cm-content') === true");
    await page.keyboard.press("Tab");
    expect(await inEditor()).toBe(true);
    await page.keyboard.press("Escape");
    await page.keyboard.press("Tab");
    expect(await inEditor()).toBe(false);
  });

  it("says how to sign a webhook call, with the headers and the workflow's URL", async () => {
    const name = unique("hook");
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.member, "/workflows/new");
    const editor = page.getByRole("textbox", { name: "Workflow definition" });
    await editor.click();
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.press("Delete");
    await page.keyboard.insertText(
      [
        `name: ${name}`,
        "steps:",
        "  - id: instances",
        "    action: aws.ec2.describeInstances",
        "    connections: [production]",
        "    regions: [us-east-1]",
        "triggers:",
        "  - webhook: {}",
        "",
      ].join("\n"),
    );
    await page.getByRole("status").getByText("The definition is valid.").waitFor();
    await page.getByRole("button", { name: "Save" }).click();
    const url = `${demo.url}/api/v1/hooks/default/${name}`;
    const showsSigning = async (where: Locator) => {
      await where.getByText("X-Switchboard-Timestamp", { exact: true }).waitFor();
      await where.getByText("X-Switchboard-Signature", { exact: true }).waitFor();
      const example = await where.getByLabel("Example of a signed call").textContent();
      expect(example).toContain(`curl -X POST '${url}'`);
      expect(example).toContain("sha256=$SIG");
      await expectAccessible(page);
    };
    // Shown once with the secret, and on the workflow's page for later.
    const modal = page.getByRole("dialog", { name: `Webhook secret of ${name}` });
    await showsSigning(modal);
    await modal.getByRole("button", { name: "I have copied it" }).click();
    await page.waitForURL(new RegExp(`/workflows/${name}$`));
    const triggers = page.getByRole("region", { name: "Triggers" });
    await triggers.getByText("How to sign a call").click();
    await showsSigning(triggers);
  });

  it("offers a sync on a diagram with nothing synced, and draws what it found", async () => {
    const name = unique("fresh");
    await serverIdentityConnection(name);
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.admin, `/inventory/diagram?connections=${name}`);
    const prompt = page.getByRole("region", { name: "Nothing synced yet" });
    await prompt.getByText("Nothing synced for this selection yet").waitFor();
    await page.getByText("Nothing synced yet for this selection", { exact: true }).waitFor();
    await expectAccessible(page);

    await prompt.getByRole("button", { name: "Sync now" }).click();
    // The run ends and the diagram draws itself, without a reload.
    await prompt.waitFor({ state: "detached", timeout: 60_000 });
    await page.getByText(/^\d+ resources? in 1 account · \d+ nodes? drawn/).waitFor();
  });
});
