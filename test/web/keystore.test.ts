import { generateKeyPairSync, randomBytes } from "node:crypto";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemo, type Demo } from "../../scripts/demo-stack.js";
import { expectAccessible, signIn, useBrowser } from "../helpers/browser.js";

/** Every API response body the page receives, to prove a value never comes back. */
function recordApiResponses(page: Page): () => Promise<string[]> {
  const bodies: Promise<string>[] = [];
  page.on("response", (response) => {
    if (new URL(response.url()).pathname.startsWith("/api/")) {
      bodies.push(response.text().catch(() => ""));
    }
  });
  return () => Promise.all(bodies);
}

describe("web UI: key store", () => {
  const browser = useBrowser();
  let demo: Demo;
  beforeAll(async () => {
    demo = await startDemo();
  });
  afterAll(() => demo.close());

  it("stores, replaces and deletes a secret without the value ever reaching the page again", async () => {
    const first = `first-${randomBytes(12).toString("hex")}`;
    const second = `second-${randomBytes(12).toString("hex")}`;
    const page = await browser.newPage();
    const responses = recordApiResponses(page);
    await signIn(page, demo.url, demo.admin, "/keystore");
    const tree = page.getByRole("tree", { name: "Secrets" });
    await tree.getByRole("treeitem", { name: "management-switchboard", exact: true }).waitFor();
    await expectAccessible(page);

    await page.getByRole("button", { name: "Add secret" }).click();
    const add = page.getByRole("dialog", { name: "Add a secret" });
    expect(new URL(page.url()).searchParams.get("add")).toBe("1");
    await add.getByLabel(/^Name/).fill("ci/deploy-key");
    await expect.poll(() => add.getByText("keys/system/ci/deploy-key").count()).toBe(1);
    await add.getByLabel(/^Value/).fill(first);
    // The hosts an http step may send it to are written with the value; a URL is refused.
    const hostsInput = add.getByLabel(/^Hosts http steps may send it to/);
    await hostsInput.fill("https://hooks.example.com");
    await hostsInput.press("Enter");
    await expectAccessible(page);
    await add.getByRole("button", { name: "Store secret" }).click();
    await expect.poll(() => add.getByText(/not a URL/).count()).toBe(1);
    // Backspace in the empty input removes the last host.
    await hostsInput.press("Backspace");
    await hostsInput.fill("hooks.example.com");
    await hostsInput.press("Enter");
    await add.getByRole("button", { name: "Store secret" }).click();
    await add.waitFor({ state: "detached" });

    const item = tree.getByRole("treeitem", { name: "deploy-key", exact: true });
    await item.waitFor();
    await page.getByRole("heading", { name: "deploy-key" }).waitFor();
    expect(new URL(page.url()).searchParams.get("path")).toBe("keys/system/ci/deploy-key");
    await expect.poll(() => page.getByText("Write-only: never shown").count()).toBe(1);
    await page.getByText("hooks.example.com", { exact: true }).waitFor();
    expect(await page.content()).not.toContain(first);

    await page.reload();
    await page.getByRole("heading", { name: "deploy-key" }).waitFor();
    expect(await page.content()).not.toContain(first);
    await expectAccessible(page);

    await page.getByRole("button", { name: "Replace value" }).click();
    const replace = page.getByRole("dialog", { name: "Replace the value" });
    await replace.waitFor();
    expect(await replace.getByLabel(/^New value/).inputValue()).toBe("");
    expect(await page.content()).not.toContain(first);
    await expectAccessible(page);
    await replace.getByLabel(/^New value/).fill(second);
    // The new value starts from the current hosts; one more is added.
    await replace.getByText("hooks.example.com", { exact: true }).waitFor();
    const moreHosts = replace.getByLabel(/^Hosts http steps may send it to/);
    await moreHosts.fill("*.example.org");
    await moreHosts.press("Enter");
    await replace.getByRole("button", { name: "Replace value" }).click();
    await replace.waitFor({ state: "detached" });
    await page.getByText("Secret keys/system/ci/deploy-key replaced").waitFor();
    expect(await page.content()).not.toContain(second);
    const replaced = await demo.api<{ items: { objectId: string }[] }>(
      "GET",
      "/audit?action=secret.replace",
    );
    expect(replaced.items.map((e) => e.objectId)).toContain("keys/system/ci/deploy-key");
    const stored = await demo.api<{ items: { path: string; allowedHosts: string[] | null }[] }>(
      "GET",
      "/secrets?prefix=keys/system/ci/",
    );
    expect(stored.items).toMatchObject([
      { path: "keys/system/ci/deploy-key", allowedHosts: ["hooks.example.com", "*.example.org"] },
    ]);

    await page.getByRole("button", { name: "Delete", exact: true }).click();
    const confirm = page.getByRole("dialog", { name: "Delete this secret?" });
    await confirm.getByRole("button", { name: "Delete secret" }).click();
    await confirm.waitFor({ state: "detached" });
    await item.waitFor({ state: "detached" });
    const listed = await demo.api<{ items: { path: string }[] }>("GET", "/secrets");
    expect(listed.items.map((s) => s.path)).not.toContain("keys/system/ci/deploy-key");

    const bodies = await responses();
    expect(bodies.length).toBeGreaterThan(5);
    for (const body of bodies) {
      expect(body).not.toContain(first);
      expect(body).not.toContain(second);
    }
    expect(await page.content()).not.toContain(first);
  });

  it("stores a PEM private key pasted into the one-line value field", async () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.admin, "/keystore?add=1");
    const add = page.getByRole("dialog", { name: "Add a secret" });
    await add.getByLabel(/^Name/).fill("signing/release-key");
    await add.getByText("Private key (PEM)").click();
    // An <input> drops the line breaks of what is typed or pasted into it.
    await add.getByLabel(/^Value/).fill(pem);
    expect(await add.getByLabel(/^Value/).inputValue()).not.toContain("\n");
    await add.getByRole("button", { name: "Store secret" }).click();
    await add.waitFor({ state: "detached" });
    const item = page
      .getByRole("tree", { name: "Secrets" })
      .getByRole("treeitem", { name: /^release-key/ });
    await item.getByText("PEM").waitFor();
    const listed = await demo.api<{ items: { path: string; type: string }[] }>(
      "GET",
      "/secrets?prefix=keys/system/signing/",
    );
    expect(listed.items).toMatchObject([
      { path: "keys/system/signing/release-key", type: "key-pair" },
    ]);
    const body = pem.split("\n")[1] ?? "";
    expect(body.length).toBeGreaterThan(20);
    expect(await page.content()).not.toContain(body);
  });

  it("explains the key store to a member without secrets, and shows the API's refusal of a system secret", async () => {
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.member, "/keystore");
    await page.getByText("The key store is empty").waitFor();
    await expect
      .poll(() => page.getByText(/secret access key of an access_key connection/).count())
      .toBeGreaterThan(0);
    await expectAccessible(page);

    await page.getByRole("button", { name: "Add secret" }).click();
    const add = page.getByRole("dialog", { name: "Add a secret" });
    await add.getByLabel(/^Name/).fill("mine");
    await add.getByLabel(/^Value/).fill("not-allowed-value-123");
    await add.getByRole("button", { name: "Store secret" }).click();
    await expect
      .poll(() => add.getByRole("alert").textContent())
      .toContain("system secrets are managed by org admins");
    await add.getByRole("button", { name: "Cancel" }).click();
    await add.waitFor({ state: "detached" });
    expect(await page.content()).not.toContain("not-allowed-value-123");
  });
});
