import {
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  Loader,
  Paper,
  SegmentedControl,
  Stack,
  Text,
  Title,
} from "@mantine/core";
import { IconAlertTriangle, IconBan, IconScissors } from "@tabler/icons-react";
import type { DataTableColumn } from "mantine-datatable";
import { useMemo, useState } from "react";
import { Link } from "react-router";
import type { RunSummary, TargetResult } from "../../api/actions";
import { FanOutProgress } from "../../components/FanOutProgress";
import { JsonTree } from "../../components/JsonTree";
import { ListTable } from "../../components/ListTable";
import { Empty } from "../../components/page";
import { formatDuration } from "../../components/time";
import { StatusBadge } from "./format";
import { ItemsTable } from "./ItemsTable";
import { itemCount, itemTable, mainList } from "../../../../src/runs/flatten-results";

export interface TargetRow extends TargetResult {
  /** The target's position in the run (0-based): its key and its ?target= in a run's URL. */
  idx: number;
}

/** Rows sort by connection, then region, unless the user sorts otherwise. */
type SortableRow = TargetRow & { target: string; items: number | null };

export function summarize(results: TargetResult[]): RunSummary {
  const s: RunSummary = { total: results.length, succeeded: 0, failed: 0, refused: 0, skipped: 0 };
  for (const r of results) s[r.status] += 1;
  return s;
}

function targetName(r: TargetResult): string {
  return `${r.connection} ${r.region}`;
}

function SummaryLine(props: {
  summary: RunSummary;
  running: boolean;
  total: number | null;
  items: number | null;
  durationMs: number | null;
  runId: string | null;
  linkToRun: boolean;
}) {
  const { summary } = props;
  return (
    <Stack gap={6}>
      <Group gap="xs" aria-label="Run summary" role="group">
        {props.running && <Loader size="xs" role="status" aria-label="Running" />}
        <Text size="sm" fw={600}>
          {summary.total} {summary.total === 1 ? "target" : "targets"}
          {props.running ? " finished so far" : ""}
        </Text>
        <Badge variant="light" color="green">
          {summary.succeeded} ok
        </Badge>
        {summary.failed > 0 && (
          <Badge variant="light" color="red">
            {summary.failed} failed
          </Badge>
        )}
        {summary.refused > 0 && (
          <Badge variant="light" color="orange">
            {summary.refused} refused
          </Badge>
        )}
        {summary.skipped > 0 && (
          <Badge variant="light" color="gray">
            {summary.skipped} skipped
          </Badge>
        )}
        {props.items !== null && (
          <Badge variant="light" color="blue">
            {props.items} {props.items === 1 ? "item" : "items"}
          </Badge>
        )}
        {props.durationMs !== null && (
          <Text size="sm" c="dimmed">
            in {formatDuration(props.durationMs)}
          </Text>
        )}
        {props.linkToRun && props.runId !== null && (
          <Anchor component={Link} to={`/runs/${props.runId}`} size="sm">
            Open run
          </Anchor>
        )}
      </Group>
      {props.running && (
        <FanOutProgress
          label="Progress"
          done={summary.total}
          total={props.total}
          failed={summary.failed}
          refused={summary.refused}
        />
      )}
    </Stack>
  );
}

/** Refusals grouped by their explanation: which operation, its access level, the setting. */
function Refusals(props: { rows: TargetRow[] }) {
  const byMessage = new Map<string, string[]>();
  for (const r of props.rows) {
    if (r.status !== "refused" || r.error === undefined) continue;
    const names = byMessage.get(r.error.message) ?? [];
    names.push(r.region === "-" ? r.connection : targetName(r));
    byMessage.set(r.error.message, names);
  }
  if (byMessage.size === 0) return null;
  return (
    <Alert
      color="orange"
      variant="light"
      icon={<IconBan size={18} />}
      title="Refused before any request left Switchboard"
    >
      <Stack gap={6}>
        {[...byMessage].map(([message, targets]) => (
          <div key={message}>
            <Text size="sm">{message}</Text>
            <Text size="xs" c="dimmed">
              {targets.length === 1 ? "Target" : `${targets.length} targets`}:{" "}
              {targets.slice(0, 8).join(", ")}
              {targets.length > 8 ? ", …" : ""}
            </Text>
          </div>
        ))}
      </Stack>
    </Alert>
  );
}

/**
 * An output as a JSON tree, or its main list as a table: a Logs Insights result opens as the
 * table of its rows (the query's fields as columns), other lists on demand.
 */
export function OutputView(props: { output: unknown; name: string; filename: string }) {
  const main = mainList(props.output);
  const tabular =
    main !== undefined &&
    main.items.length > 0 &&
    main.items.every((i) => i !== null && typeof i === "object" && !Array.isArray(i));
  const [view, setView] = useState<"table" | "json">(main?.name === "rows" ? "table" : "json");
  const table = useMemo(
    () =>
      tabular
        ? itemTable([{ connection: "", accountId: null, region: "", output: props.output }])
        : null,
    [tabular, props.output],
  );
  const tree = (
    <JsonTree
      value={props.output}
      filename={`${props.filename}.json`}
      what={`output of ${props.name}`}
    />
  );
  if (table === null || main === undefined) return tree;
  return (
    <Stack gap="xs">
      <SegmentedControl
        size="xs"
        w="fit-content"
        aria-label={`Show the output of ${props.name} as`}
        value={view}
        onChange={(v) => setView(v === "table" ? "table" : "json")}
        data={[
          { value: "table", label: `Table of ${main.name} (${main.items.length})` },
          { value: "json", label: "JSON" },
        ]}
      />
      {view === "table" ? (
        <ItemsTable
          table={table}
          label={`${main.name} of ${props.name}`}
          filename={props.filename}
          hideSource
        />
      ) : (
        tree
      )}
    </Stack>
  );
}

/** One target's output (or error): a JSON tree or a table, with copy and download. */
function TargetOutput(props: { row: TargetRow; onClose: () => void }) {
  const { row } = props;
  const name = `${row.connection} · ${row.region}`;
  return (
    <Paper withBorder p="md" radius="sm" component="section" aria-label={`Output of ${name}`}>
      <Group justify="space-between" mb="sm">
        <Group gap="xs">
          <Title order={3} fz="md">
            {name}
          </Title>
          <StatusBadge status={row.status} target />
          {row.accountId !== null && (
            <Text size="xs" c="dimmed">
              account {row.accountId}
            </Text>
          )}
          <Text size="xs" c="dimmed">
            {formatDuration(row.durationMs)}
          </Text>
          {row.awsSession !== undefined && (
            <Text size="xs" c="dimmed">
              CloudTrail session {row.awsSession}
            </Text>
          )}
        </Group>
        <Button size="xs" variant="subtle" onClick={props.onClose}>
          Close
        </Button>
      </Group>
      {row.outputTruncated === true && (
        <Alert
          color="yellow"
          variant="light"
          icon={<IconScissors size={18} />}
          title="Output capped"
          mb="sm"
        >
          This output reached the server&apos;s cap, so it was cut; the note in it says where.
          Narrow the input (filters, maxItems) to see all of it.
        </Alert>
      )}
      {row.error !== undefined && (
        <Alert
          color={row.status === "refused" ? "orange" : row.status === "skipped" ? "gray" : "red"}
          variant="light"
          icon={<IconAlertTriangle size={18} />}
          title={row.error.code}
          mb="sm"
        >
          <Text size="sm">{row.error.message}</Text>
          {row.error.fix !== undefined && (
            <Text size="sm" mt={4}>
              Fix: {row.error.fix}
            </Text>
          )}
        </Alert>
      )}
      {row.output !== undefined ? (
        <OutputView
          output={row.output}
          name={`${row.connection} ${row.region}`}
          filename={`${row.connection}-${row.region}`}
        />
      ) : (
        row.error === undefined && (
          <Text size="sm" c="dimmed">
            This target has no output.
          </Text>
        )
      )}
    </Paper>
  );
}

/**
 * A run's targets: a summary, refusals explained, a table (connection, account, region, status,
 * duration, error) and the chosen target's output.
 */
export function RunResults(props: {
  rows: TargetRow[];
  running: boolean;
  durationMs: number | null;
  runId: string | null;
  /** Show an "Open run" link (on the action page; the run page is already there). */
  linkToRun?: boolean;
  /** How many targets the run has, for the progress while it streams (null: not known). */
  total?: number | null;
  /** Names the downloads: the action's id. */
  actionId?: string | null;
  selected: number | null;
  onSelect: (idx: number | null) => void;
}) {
  const [view, setView] = useState<"targets" | "items">("targets");
  const summary = summarize(props.rows);
  const selected = props.rows.find((r) => r.idx === props.selected);
  const records: SortableRow[] = useMemo(
    () =>
      props.rows.map((r) => ({
        ...r,
        target: `${r.connection} ${r.region}`,
        items: itemCount(r.output) ?? null,
      })),
    [props.rows],
  );
  const withItems = records.filter((r) => r.items !== null);
  const items = withItems.length === 0 ? null : withItems.reduce((n, r) => n + (r.items ?? 0), 0);
  const table = useMemo(
    () => (view === "items" ? itemTable(props.rows) : null),
    [view, props.rows],
  );
  const columns: DataTableColumn<SortableRow>[] = [
    { accessor: "connection", title: "Connection", sortable: true, sortKey: "target" },
    {
      accessor: "accountId",
      title: "Account",
      sortable: true,
      render: (r) => r.accountId ?? "—",
    },
    { accessor: "region", title: "Region", sortable: true },
    {
      accessor: "status",
      title: "Status",
      sortable: true,
      render: (r) => (
        <Group gap={4} wrap="nowrap">
          <StatusBadge status={r.status} target />
          {r.outputTruncated === true && (
            <Badge size="sm" variant="outline" color="yellow">
              capped
            </Badge>
          )}
        </Group>
      ),
    },
    {
      accessor: "items",
      title: "Items",
      sortable: true,
      textAlign: "right",
      render: (r) => (r.items === null ? "" : r.items),
    },
    {
      accessor: "durationMs",
      title: "Duration",
      sortable: true,
      textAlign: "right",
      render: (r) => formatDuration(r.durationMs),
    },
    {
      accessor: "error.message",
      title: "Error",
      render: (r) =>
        r.error === undefined ? (
          ""
        ) : (
          <Text size="xs" lineClamp={2} title={r.error.message}>
            {r.error.code}: {r.error.message}
          </Text>
        ),
    },
    {
      accessor: "idx",
      title: "Output",
      textAlign: "right",
      render: (r) => (
        <Button
          size="compact-xs"
          variant={props.selected === r.idx ? "filled" : "light"}
          aria-label={`Output of ${targetName(r)}`}
          aria-pressed={props.selected === r.idx}
          onClick={(e) => {
            e.stopPropagation();
            props.onSelect(props.selected === r.idx ? null : r.idx);
          }}
        >
          {r.output !== undefined ? "Output" : "Details"}
        </Button>
      ),
    },
  ];

  return (
    <Stack gap="sm">
      <SummaryLine
        summary={summary}
        total={props.total ?? null}
        items={items}
        running={props.running}
        durationMs={props.durationMs}
        runId={props.runId}
        linkToRun={props.linkToRun === true}
      />
      <Refusals rows={props.rows} />
      {items !== null && (
        <SegmentedControl
          size="xs"
          w="fit-content"
          aria-label="Show results as"
          value={view}
          onChange={(v) => setView(v === "items" ? "items" : "targets")}
          data={[
            { value: "targets", label: "Targets" },
            { value: "items", label: `Table of items (${items})` },
          ]}
        />
      )}
      {view === "items" && table !== null ? (
        <ItemsTable
          table={table}
          label={`Items of ${props.actionId ?? "the run"}`}
          filename={`${props.actionId ?? "run"}${props.runId === null ? "" : `-${props.runId}`}`}
        />
      ) : (
        <ListTable<SortableRow>
          label="Targets"
          records={records}
          columns={columns}
          idAccessor="idx"
          searchText={(r) =>
            [r.connection, r.accountId, r.region, r.status, r.error?.code, r.error?.message].join(
              " ",
            )
          }
          defaultSort={{ columnAccessor: "connection", sortKey: "target", direction: "asc" }}
          fetching={false}
          onRowClick={(r) => props.onSelect(r.idx)}
          empty={
            <Empty
              title={props.running ? "Waiting for the first target" : "No targets"}
              description={
                props.running
                  ? "Results appear here as each connection and region finishes."
                  : "The selection matched no connection you may execute: choose others."
              }
            />
          }
        />
      )}
      {selected !== undefined && (
        <TargetOutput row={selected} onClose={() => props.onSelect(null)} />
      )}
    </Stack>
  );
}
