import { Button, Group, SegmentedControl, Select, Stack, Table, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import {
  allStepTargetsQuery,
  runTargetsQuery,
  TARGET_STATUSES,
  TARGETS_PAGE,
  type RunStep,
  type TargetStatus,
} from "../../api/runs";
import { ErrorAlert, Loading } from "../../components/page";
import { formatDuration } from "../../components/time";
import { StatusBadge } from "../actions/format";
import { ItemsTable } from "../actions/ItemsTable";
import { itemCount, itemTable } from "../../../../src/runs/flatten-results";
import { TargetDetail } from "./TargetDetail";

/** Every target's items of a step in one table, loaded when asked for. */
function StepItems(props: { runId: string; step: RunStep; revision: string }) {
  const { runId, step } = props;
  const all = useQuery(allStepTargetsQuery(runId, step.id, props.revision));
  const table = useMemo(() => (all.data === undefined ? null : itemTable(all.data)), [all.data]);
  if (all.error !== null)
    return <ErrorAlert error={all.error} onRetry={() => void all.refetch()} />;
  if (table === null) return <Loading label={`Loading the items of ${step.id}`} />;
  return (
    <ItemsTable table={table} label={`Items of ${step.id}`} filename={`${runId}-${step.id}`} />
  );
}

/**
 * A step's targets, a server page (100) at a time — a step over thousands of targets is normal —
 * with a status filter; refreshed while the step runs.
 */
export function StepTargets(props: { runId: string; step: RunStep; live: boolean }) {
  const { runId, step } = props;
  const [status, setStatus] = useState<TargetStatus | null>(null);
  // The cursors of the pages before this one: Previous pops, Next pushes.
  const [cursors, setCursors] = useState<(string | null)[]>([]);
  const cursor = cursors.at(-1) ?? null;
  const [selected, setSelected] = useState<number | null>(null);
  const [view, setView] = useState<"targets" | "items">("targets");
  // A redrive ends with the same status, attempt and count as before it (failed, 1, n): only
  // the step's finish time tells the pages fetched mid-redrive (targets "started") from the end.
  const revision = `${step.status}:${step.attempt}:${step.settledCount}:${step.finishedAt ?? ""}`;
  const page = useQuery(runTargetsQuery(runId, step.id, status, cursor, props.live, revision));

  const items = page.data?.items ?? [];
  const first = cursors.length * TARGETS_PAGE;
  const chosen = items.find((t) => t.idx === selected);
  const label = `Targets of ${step.id}`;

  const switcher = (
    <SegmentedControl
      size="xs"
      w="fit-content"
      aria-label={`Show ${label} as`}
      value={view}
      onChange={(v) => setView(v === "items" ? "items" : "targets")}
      data={[
        { value: "targets", label: "Targets" },
        { value: "items", label: "Table of items" },
      ]}
    />
  );
  if (view === "items")
    return (
      <Stack gap="xs">
        {switcher}
        <StepItems runId={runId} step={step} revision={revision} />
      </Stack>
    );

  return (
    <Stack gap="xs">
      {switcher}
      <Group justify="space-between" align="flex-end" gap="xs">
        <Select
          label="Status"
          aria-label={`Filter ${label} by status`}
          placeholder="Any status"
          data={TARGET_STATUSES}
          value={status}
          onChange={(v) => {
            setStatus(v);
            setCursors([]);
            setSelected(null);
          }}
          clearable
          size="xs"
          w={150}
        />
        <Group gap="xs">
          <Text size="xs" c="dimmed" aria-live="polite">
            {items.length === 0
              ? "no targets"
              : `${first + 1}–${first + items.length}${status === null ? ` of ${step.targetCount}` : ""}`}
          </Text>
          <Button
            size="compact-xs"
            variant="default"
            disabled={cursors.length === 0}
            onClick={() => {
              setCursors((c) => c.slice(0, -1));
              setSelected(null);
            }}
            aria-label={`Previous page of ${label}`}
          >
            Previous
          </Button>
          <Button
            size="compact-xs"
            variant="default"
            disabled={
              page.data?.nextCursor === null || page.data === undefined || page.isPlaceholderData
            }
            onClick={() => {
              const next = page.data?.nextCursor;
              if (next !== undefined && next !== null) setCursors((c) => [...c, next]);
              setSelected(null);
            }}
            aria-label={`Next page of ${label}`}
          >
            Next
          </Button>
        </Group>
      </Group>
      {page.error !== null ? (
        <ErrorAlert error={page.error} onRetry={() => void page.refetch()} />
      ) : page.data === undefined ? (
        <Loading label={`Loading ${label}`} />
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table aria-label={label} verticalSpacing={4} fz="sm" highlightOnHover striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Connection</Table.Th>
                <Table.Th>Account</Table.Th>
                <Table.Th>Region</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th ta="right">Items</Table.Th>
                <Table.Th ta="right">Duration</Table.Th>
                <Table.Th>Error</Table.Th>
                <Table.Th ta="right">Output</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={8}>
                    <Text size="sm" c="dimmed">
                      {status === null ? "No targets yet." : `No target is ${status}.`}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
              {items.map((t) => (
                <Table.Tr key={t.idx}>
                  <Table.Td>{t.connection}</Table.Td>
                  <Table.Td>{t.accountId ?? "—"}</Table.Td>
                  <Table.Td>{t.region}</Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      <StatusBadge status={t.status} target />
                      {t.attempt > 1 && (
                        <Text size="xs" c="dimmed">
                          ×{t.attempt}
                        </Text>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td ta="right">{itemCount(t.output) ?? ""}</Table.Td>
                  <Table.Td ta="right">{formatDuration(t.durationMs)}</Table.Td>
                  <Table.Td>
                    {t.error !== undefined && (
                      <Text size="xs" lineClamp={2} title={t.error.message}>
                        {t.error.code}: {t.error.message}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td ta="right">
                    <Button
                      size="compact-xs"
                      variant={selected === t.idx ? "filled" : "light"}
                      aria-pressed={selected === t.idx}
                      aria-label={`Output of ${t.connection} ${t.region} in ${step.id}`}
                      onClick={() => setSelected(selected === t.idx ? null : t.idx)}
                    >
                      {t.output !== undefined ? "Output" : "Details"}
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {chosen !== undefined && (
        <TargetDetail target={chosen} step={step.id} onClose={() => setSelected(null)} />
      )}
    </Stack>
  );
}
