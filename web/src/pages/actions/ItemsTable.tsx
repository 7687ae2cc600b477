import { Button, Group, Text } from "@mantine/core";
import { IconDownload } from "@tabler/icons-react";
import type { DataTableColumn } from "mantine-datatable";
import { useMemo } from "react";
import { downloadText } from "../../components/CopyDownload";
import { ListTable } from "../../components/ListTable";
import { Empty } from "../../components/page";
import { cellText, toCsv, type ItemTable } from "../../../../src/runs/flatten-results";

type Row = Record<string, unknown> & { key: number; text: string };

const MAX_CELL = 200;

/**
 * A table of items (every instance of every target, a Logs Insights query's rows): each field a
 * column, sortable, filterable, paged (thousands of rows stay quick), with CSV and JSON download.
 */
export function ItemsTable(props: {
  table: ItemTable;
  /** The table's accessible name. */
  label: string;
  /** The download's file name, without extension. */
  filename: string;
  /** Leave out the account, connection and region columns (one target's output). */
  hideSource?: boolean;
}) {
  const { table } = props;
  const columns = props.hideSource === true ? table.columns.slice(3) : table.columns;
  // Columns are keyed by position: a field's name may hold dots (State.Name) or be "count()".
  const records = useMemo<Row[]>(
    () =>
      table.rows.map((r, key) => {
        const row: Row = { key, text: "" };
        const texts: string[] = [];
        columns.forEach((c, i) => {
          const v = r[c];
          const text = cellText(v);
          // Numbers stay numbers, so they sort as numbers.
          row[`c${i}`] = typeof v === "number" ? v : text;
          texts.push(text);
        });
        row.text = texts.join(" ").toLowerCase();
        return row;
      }),
    [table.rows, columns],
  );
  const gridColumns: DataTableColumn<Row>[] = columns.map((c, i) => ({
    accessor: `c${i}`,
    title: c,
    sortable: true,
    render: (r) => {
      const text = cellText(r[`c${i}`]);
      return (
        <Text
          size="xs"
          style={{ whiteSpace: "nowrap" }}
          title={text.length > 40 ? text : undefined}
        >
          {text.length > MAX_CELL ? `${text.slice(0, MAX_CELL)}…` : text}
        </Text>
      );
    },
  }));
  const downloadCsv = () =>
    downloadText(`${props.filename}.csv`, toCsv(columns, table.rows), "text/csv");
  const downloadJson = () =>
    downloadText(
      `${props.filename}.json`,
      `${JSON.stringify(
        table.rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] ?? null]))),
        null,
        2,
      )}\n`,
    );

  return (
    <ListTable<Row>
      label={props.label}
      records={records}
      columns={gridColumns}
      idAccessor="key"
      searchText={(r) => r.text}
      defaultSort={{ columnAccessor: "c0", direction: "asc" }}
      fetching={false}
      pageSizes={[50, 100, 250]}
      toolbar={
        <Group gap="xs" wrap="nowrap">
          <Text size="xs" c="dimmed" visibleFrom="sm">
            {table.rows.length} {table.rows.length === 1 ? "row" : "rows"}
          </Text>
          <Button
            size="xs"
            variant="default"
            leftSection={<IconDownload size={14} />}
            onClick={downloadCsv}
            aria-label={`Download ${props.label} as CSV`}
          >
            CSV
          </Button>
          <Button
            size="xs"
            variant="default"
            leftSection={<IconDownload size={14} />}
            onClick={downloadJson}
            aria-label={`Download ${props.label} as JSON`}
          >
            JSON
          </Button>
        </Group>
      }
      empty={
        <Empty
          title="No items"
          description={
            table.list === null
              ? "No output holds a list to show as a table."
              : `The outputs' ${table.list} lists are empty.`
          }
        />
      }
    />
  );
}
