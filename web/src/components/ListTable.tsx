import { Group, TextInput } from "@mantine/core";
import { IconSearch } from "@tabler/icons-react";
import { DataTable, type DataTableColumn, type DataTableSortStatus } from "mantine-datatable";
import { useMemo, useState, type ReactNode } from "react";

const PAGE_SIZES = [25, 50, 100];

export interface ListTableProps<T> {
  /** The table's accessible name. */
  label: string;
  records: T[] | undefined;
  columns: DataTableColumn<T>[];
  idAccessor: keyof T & string;
  /** The text a row is found by in the filter box; no filter box without it. */
  searchText?: (record: T) => string;
  /** Shown (with the next step) when there are no records at all. */
  empty: ReactNode;
  fetching?: boolean;
  defaultSort?: DataTableSortStatus<T>;
  toolbar?: ReactNode;
  onRowClick?: (record: T) => void;
  pageSizes?: number[];
}

function valueAt(record: unknown, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>(
      (v, k) =>
        v === null || typeof v !== "object" ? undefined : (v as Record<string, unknown>)[k],
      record,
    );
}

// One collator for every comparison: localeCompare with options builds one per call, which
// made sorting thousands of rows (a fan-out's items) take a noticeable moment.
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  const text = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
  return collator.compare(text(a), text(b));
}

/** A client-side table: sort by any sortable column, filter by text, page through. */
export function ListTable<T>(props: ListTableProps<T>) {
  const [query, setQuery] = useState("");
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState((props.pageSizes ?? PAGE_SIZES)[0] ?? 25);
  const [sort, setSort] = useState<DataTableSortStatus<T>>(
    props.defaultSort ?? {
      columnAccessor: props.columns[0]?.accessor ?? props.idAccessor,
      direction: "asc",
    },
  );

  const rows = useMemo(() => {
    const all = props.records ?? [];
    const q = query.trim().toLowerCase();
    const searchText = props.searchText;
    const filtered =
      q === "" || searchText === undefined
        ? all
        : all.filter((r) => searchText(r).toLowerCase().includes(q));
    const key = String(sort.sortKey ?? sort.columnAccessor);
    const sorted = [...filtered].sort((a, b) => compare(valueAt(a, key), valueAt(b, key)));
    return sort.direction === "desc" ? sorted.reverse() : sorted;
  }, [props.records, props.searchText, query, sort]);

  const pages = Math.max(1, Math.ceil(rows.length / pageSize));
  const current = Math.min(page, pages);
  const visible = rows.slice((current - 1) * pageSize, current * pageSize);
  const noneAtAll = props.records !== undefined && props.records.length === 0;

  return (
    <>
      {(props.searchText !== undefined || props.toolbar !== undefined) && !noneAtAll && (
        <Group justify="space-between" mb="sm" wrap="nowrap">
          {props.searchText !== undefined ? (
            <TextInput
              aria-label={`Filter ${props.label}`}
              placeholder="Filter…"
              leftSection={<IconSearch size={14} />}
              value={query}
              onChange={(e) => {
                setQuery(e.currentTarget.value);
                setPage(1);
              }}
              w={320}
            />
          ) : (
            <span />
          )}
          {props.toolbar}
        </Group>
      )}
      {noneAtAll ? (
        props.empty
      ) : (
        <DataTable<T>
          aria-label={props.label}
          withTableBorder
          borderRadius="sm"
          striped
          highlightOnHover
          minHeight={visible.length === 0 ? 160 : undefined}
          fetching={props.fetching ?? props.records === undefined}
          records={visible}
          columns={props.columns}
          idAccessor={props.idAccessor}
          noRecordsText="No rows match the filter"
          sortStatus={sort}
          onSortStatusChange={setSort}
          {...(props.onRowClick === undefined
            ? {}
            : { onRowClick: ({ record }: { record: T }) => props.onRowClick?.(record) })}
          totalRecords={rows.length}
          recordsPerPage={pageSize}
          page={current}
          onPageChange={setPage}
          recordsPerPageOptions={props.pageSizes ?? PAGE_SIZES}
          onRecordsPerPageChange={(n: number) => {
            setPageSize(n);
            setPage(1);
          }}
        />
      )}
    </>
  );
}
