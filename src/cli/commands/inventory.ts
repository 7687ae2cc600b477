import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import type { InventoryResource } from "../../inventory/index.js";
import { createApiClient } from "../api-client.js";
import { CliError } from "../cli-error.js";
import { fetchAll } from "../fetch-all.js";
import { followOnStdout } from "../follow-run.js";
import { globalOptions } from "../global-options.js";
import { printJson, printRows } from "../output.js";

const out = (line: string) => process.stdout.write(`${line}\n`);
const list = (value: string | undefined) =>
  value === undefined
    ? undefined
    : value
        .split(",")
        .map((v) => v.trim())
        .filter(Boolean);

interface Scope {
  region: string;
  type: string;
  stale: boolean;
  syncedAt: string | null;
  error: { code: string; message: string } | null;
}
interface Change {
  at: string;
  change: string;
  arn: string;
  type: string;
  region: string;
}
interface BudgetLine {
  arn: string;
  type: string;
  monthlyUsd: number;
  plusUsage: boolean;
  price: { usd: string; unit: string; source: string; publishedAt: string } | null;
  error?: { message: string };
}

/** `switchboard inventory …` and `switchboard prices …`: thin calls to /api/v1/inventory. */
export function registerInventory(program: Command): void {
  const inventory = program
    .command("inventory")
    .description(
      "the inventory: syncs (runs), what is stored (ARNs and relations), the timeline, the budget",
    );

  inventory
    .command("sync")
    .description("sync connections × regions (a run; --follow shows targets done / total)")
    .option("--connections <names>", "comma-separated connection names")
    .option("--tag <key=value>", "every connection with this tag that you may execute")
    .option("--all", "every connection you may execute")
    .option("--regions <regions>", "comma-separated regions (default: each connection's own)")
    .option("--types <types>", "comma-separated resource types (default: every type)")
    .option("--follow", "follow the run until it finishes (exit 0 only when it succeeded)")
    .action(
      async (
        o: {
          connections?: string;
          tag?: string;
          all?: boolean;
          regions?: string;
          types?: string;
          follow?: boolean;
        },
        command: Command,
      ) => {
        const options = globalOptions(command);
        const connections =
          o.all === true ? "*" : o.tag !== undefined ? { tag: o.tag } : list(o.connections);
        if (connections === undefined)
          throw new CliError("give --connections NAMES, --tag KEY=VALUE or --all");
        const api = createApiClient(options);
        const { id } = await api.request<{ id: string }>("POST", "/inventory/syncs", {
          connections,
          ...(o.regions === undefined ? {} : { regions: list(o.regions) }),
          ...(o.types === undefined ? {} : { types: list(o.types) }),
        });
        if (o.follow === true) {
          await followOnStdout(api, id, options.json);
          return;
        }
        if (options.json) printJson({ id });
        else out(`sync started: run ${id} (switchboard run show ${id} --follow)`);
      },
    );

  inventory
    .command("resources")
    .description(
      "what the inventory holds for a connection: ARN, type, parent, edges, first and last seen",
    )
    .requiredOption("--connection <name>", "the connection")
    .option("--region <region>", "only this region")
    .option("--type <type>", "only this resource type")
    .option("--gone", "include resources no longer seen")
    .action(
      async (
        o: { connection: string; region?: string; type?: string; gone?: boolean },
        command: Command,
      ) => {
        const options = globalOptions(command);
        const api = createApiClient(options);
        const query = new URLSearchParams({ connection: o.connection });
        if (o.region !== undefined) query.set("region", o.region);
        if (o.type !== undefined) query.set("type", o.type);
        if (o.gone === true) query.set("gone", "true");
        const path = `/inventory/resources?${query.toString()}`;
        const { scopes } = await api.request<{ scopes: Scope[] }>("GET", `${path}&limit=1`);
        const items = await fetchAll<InventoryResource>(api, path);
        if (options.json) {
          printJson({ items, scopes });
          return;
        }
        printRows(
          items,
          [
            { header: "arn", value: (r) => r.arn },
            { header: "type", value: (r) => r.type },
            { header: "parent", value: (r) => r.parent },
            { header: "edges", value: (r) => String(r.edges.length) },
            { header: "first seen", value: (r) => r.firstSeen },
            { header: "last seen", value: (r) => r.lastSeen },
            ...(o.gone === true
              ? [{ header: "gone", value: (r: InventoryResource) => r.goneAt }]
              : []),
          ],
          false,
          out,
        );
        for (const s of scopes.filter((x) => x.stale))
          out(
            `stale: ${s.region} ${s.type} (last good ${s.syncedAt ?? "never"}): ${s.error?.code ?? ""}: ${s.error?.message ?? ""}`,
          );
      },
    );

  inventory
    .command("timeline")
    .description("what appeared and disappeared between syncs of a connection, newest first")
    .requiredOption("--connection <name>", "the connection")
    .option("--since <time>", "only changes from this ISO time on")
    .action(async (o: { connection: string; since?: string }, command: Command) => {
      const options = globalOptions(command);
      const query = new URLSearchParams({ connection: o.connection });
      if (o.since !== undefined) query.set("since", o.since);
      const items = await fetchAll<Change>(
        createApiClient(options),
        `/inventory/timeline?${query.toString()}`,
      );
      printRows(
        items,
        [
          { header: "at", value: (c) => c.at },
          { header: "change", value: (c) => c.change },
          { header: "type", value: (c) => c.type },
          { header: "region", value: (c) => c.region },
          { header: "arn", value: (c) => c.arn },
        ],
        options.json,
      );
    });

  inventory
    .command("budget <arns...>")
    .description(
      "a monthly estimate of these components from the cached AWS prices (--csv for CSV)",
    )
    .option("--csv", "print the CSV export")
    .option("--actuals <connection>", "last month's Cost Explorer actuals through this connection")
    .action(async (arns: string[], o: { csv?: boolean; actuals?: string }, command: Command) => {
      const options = globalOptions(command);
      const api = createApiClient(options);
      if (o.csv === true) {
        const response = await api.raw("POST", "/inventory/budget/csv", { arns });
        if (!response.ok) throw new CliError(`the budget failed: HTTP ${response.status}`);
        process.stdout.write(await response.text());
        return;
      }
      const budget = await api.request<{
        components: BudgetLine[];
        total: { monthlyUsd: number; plusUsage: boolean };
        actuals?:
          | { month: string; totalUsd: number; gapUsd?: number }
          | { error: { code: string; message: string } };
      }>("POST", "/inventory/budget", {
        arns,
        ...(o.actuals === undefined ? {} : { actualsConnection: o.actuals }),
      });
      if (options.json) {
        printJson(budget);
        return;
      }
      const usd = (n: number, plus: boolean) => `$${n.toFixed(2)}${plus ? " + usage" : ""}`;
      printRows(
        budget.components,
        [
          { header: "arn", value: (c) => c.arn },
          { header: "type", value: (c) => c.type },
          { header: "monthly", value: (c) => usd(c.monthlyUsd, c.plusUsage) },
          {
            header: "price",
            value: (c) =>
              c.price === null
                ? (c.error?.message ?? "")
                : `$${Number(c.price.usd)}/${c.price.unit} (${c.price.source}, ${c.price.publishedAt.slice(0, 10)})`,
          },
        ],
        false,
        out,
      );
      out(`total: ${usd(budget.total.monthlyUsd, budget.total.plusUsage)} a month`);
      const actuals = budget.actuals;
      if (actuals !== undefined)
        out(
          "error" in actuals
            ? `actuals: ${actuals.error.code}: ${actuals.error.message}`
            : `actuals ${actuals.month}: $${actuals.totalUsd.toFixed(2)} (gap $${(actuals.gapUsd ?? 0).toFixed(2)})`,
        );
    });

  const prices = program
    .command("prices")
    .description("the AWS prices budgets use, cached per org");

  prices
    .command("import <file>")
    .description(
      "import an AWS price list offer file (AWS's bulk format, one service's index.json)",
    )
    .action(async (file: string, _o: unknown, command: Command) => {
      const options = globalOptions(command);
      let offer: unknown;
      try {
        offer = JSON.parse(await readFile(file, "utf8"));
      } catch (error) {
        throw new CliError(
          `cannot read ${file} as JSON: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      const imported = await createApiClient(options).request<{
        serviceCode: string;
        prices: number;
        publishedAt: string;
      }>("POST", "/inventory/prices/import", offer);
      if (options.json) printJson(imported);
      else
        out(
          `imported ${imported.prices} ${imported.serviceCode} prices published ${imported.publishedAt}`,
        );
    });

  prices
    .command("refresh")
    .description("cache AWS's prices for some regions (pricing:GetProducts through a connection)")
    .requiredOption("--connection <name>", "a connection allowed to call pricing:GetProducts")
    .requiredOption("--regions <regions>", "comma-separated regions")
    .action(async (o: { connection: string; regions: string }, command: Command) => {
      const options = globalOptions(command);
      const refreshed = await createApiClient(options).request<{
        prices: number;
        publishedAt: string | null;
      }>("POST", "/inventory/prices/refresh", {
        connection: o.connection,
        regions: list(o.regions),
      });
      if (options.json) printJson(refreshed);
      else out(`cached ${refreshed.prices} prices (published ${refreshed.publishedAt ?? "-"})`);
    });
}
