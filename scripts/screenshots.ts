/**
 * `npm run screenshots`: the README's pictures of the real UI on the demo world
 * (docs/screenshots/*.png): the connections table, an action's fan-out results, and the
 * set-permissions dialog. Needs the built UI (`npm run build`).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { choose, launchBrowser, newContext, signIn, waitForSettled } from "./browser.js";
import { startDemo } from "./demo-stack.js";

const OUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../docs/screenshots");

async function main(): Promise<void> {
  const demo = await startDemo({ logLevel: "error" });
  const browser = await launchBrowser();
  try {
    const context = await newContext(browser, {
      viewport: { width: 1360, height: 820 },
      colorScheme: "light",
    });
    const page = await context.newPage();
    await signIn(page, demo.url, demo.admin, "/connections");
    await page.getByRole("link", { name: "staging" }).waitFor();
    await waitForSettled(page);
    await page.screenshot({ path: path.join(OUT, "connections.png") });

    await page.goto(`${demo.url}/actions/aws.ec2.describeInstances`);
    for (const name of ["production", "staging", "management"]) {
      await choose(page, "Connections to run on", new RegExp(`^${name} `));
    }
    await page.keyboard.press("Escape");
    await page.getByRole("button", { name: "Run", exact: true }).click();
    const summary = page.getByRole("group", { name: "Run summary" });
    await summary.getByRole("link", { name: "Open run" }).waitFor();
    await page.getByRole("button", { name: "Output of production us-east-1" }).click();
    await page
      .getByRole("region", { name: "Output of production · us-east-1" })
      .getByRole("button", { name: "Expand all" })
      .click();
    // The results at the top, just below the fixed header.
    await page
      .getByRole("heading", { name: "Results" })
      .evaluate("(h) => { h.scrollIntoView(); window.scrollBy(0, -64); }");
    await waitForSettled(page);
    await page.screenshot({ path: path.join(OUT, "fan-out.png") });

    await page.goto(`${demo.url}/connections/production/permissions`);
    await page.getByRole("dialog").waitFor();
    await waitForSettled(page);
    await page.screenshot({ path: path.join(OUT, "set-permissions.png") });
    console.log(`wrote connections.png, fan-out.png and set-permissions.png to ${OUT}`);
  } finally {
    await browser.close();
    await demo.close();
  }
}

main().catch((error: unknown) => {
  console.error(`screenshots failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
