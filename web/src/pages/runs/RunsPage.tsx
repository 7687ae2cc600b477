import { Anchor, Button, Code, Group, Select, Text } from "@mantine/core";
import { useInfiniteQuery } from "@tanstack/react-query";
import type { DataTableColumn } from "mantine-datatable";
import { Link, useNavigate, useSearchParams } from "react-router";
import { runsListQuery, type RunFilters, type RunItem, type RunStatus } from "../../api/runs";
import { useAuth } from "../../app/auth";
import { ListTable } from "../../components/ListTable";
import { Empty, ErrorAlert, PageHeader } from "../../components/page";
import { formatDuration, When } from "../../components/time";
import { actorName, StatusBadge } from "../actions/format";
import { RunTargets } from "./RunTargets";

const STATUSES: RunStatus[] = [
  "queued",
  "running",
  "waiting",
  "succeeded",
  "failed",
  "partial",
  "cancelled",
  "interrupted",
];

function filtersOf(params: URLSearchParams): RunFilters {
  const status = params.get("status");
  const kind = params.get("kind");
  const workflow = params.get("workflow");
  return {
    status: STATUSES.includes(status as RunStatus) ? (status as RunStatus) : undefined,
    kind: kind === "action" || kind === "workflow" ? kind : undefined,
    workflow: workflow === null || workflow === "" ? undefined : workflow,
  };
}

/** /runs — recent runs of actions and workflows (admins: everyone's; members: their own). */
export function RunsPage() {
  const { isAdmin } = useAuth();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const filters = filtersOf(params);
  const runs = useInfiniteQuery(runsListQuery(filters));
  const records = runs.data?.pages.flatMap((p) => p.items);
  const setFilter = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value === null || value === "") next.delete(key);
    else next.set(key, value);
    setParams(next, { replace: true });
  };

  const columns: DataTableColumn<RunItem>[] = [
    {
      accessor: "startedAt",
      title: "When",
      sortable: true,
      render: (r) => (
        <Anchor component={Link} to={`/runs/${r.id}`} size="sm">
          <When iso={r.startedAt} />
        </Anchor>
      ),
    },
    {
      accessor: "actor",
      title: "Who",
      sortable: true,
      render: (r) => actorName(r.actor),
    },
    {
      accessor: "actionId",
      title: "What",
      sortable: true,
      render: (r) =>
        r.workflow !== null ? (
          <Anchor
            component={Link}
            to={`/workflows/${r.workflow.name}`}
            size="sm"
            onClick={(e) => e.stopPropagation()}
          >
            {r.workflow.name}{" "}
            <Text span size="xs" c="dimmed">
              v{r.workflow.version}
            </Text>
          </Anchor>
        ) : (
          <Code fz="xs">{r.actionId}</Code>
        ),
    },
    {
      accessor: "targetCount",
      title: "Connections / targets",
      sortable: true,
      render: (r) => <RunTargets run={r} />,
    },
    {
      accessor: "status",
      title: "Status",
      sortable: true,
      render: (r) => (
        <Group gap={4} wrap="nowrap">
          <StatusBadge status={r.status} />
          {r.summary !== null && r.summary.succeeded !== r.summary.total && (
            <Text size="xs" c="dimmed">
              {r.summary.succeeded}/{r.summary.total} ok
            </Text>
          )}
        </Group>
      ),
    },
    {
      accessor: "durationMs",
      title: "Duration",
      sortable: true,
      textAlign: "right",
      render: (r) => formatDuration(r.durationMs),
    },
  ];

  const filtered =
    filters.status !== undefined || filters.kind !== undefined || filters.workflow !== undefined;
  return (
    <>
      <PageHeader
        title="Runs"
        description={
          isAdmin
            ? "Every action and workflow run in this org, newest first."
            : "Your action and workflow runs, newest first."
        }
      />
      <Group gap="sm" mb="sm" align="flex-end">
        <Select
          label="Status"
          placeholder="Any status"
          data={STATUSES}
          value={filters.status ?? null}
          onChange={(v) => setFilter("status", v)}
          clearable
          w={160}
        />
        <Select
          label="Kind"
          placeholder="Actions and workflows"
          data={[
            { value: "action", label: "Actions" },
            { value: "workflow", label: "Workflows" },
          ]}
          value={filters.kind ?? null}
          onChange={(v) => setFilter("kind", v)}
          clearable
          w={200}
        />
        {filters.workflow !== undefined && (
          <Button size="xs" variant="light" onClick={() => setFilter("workflow", null)}>
            Workflow {filters.workflow} ×
          </Button>
        )}
      </Group>
      {runs.error !== null ? (
        <ErrorAlert error={runs.error} onRetry={() => void runs.refetch()} />
      ) : (
        <ListTable<RunItem>
          label="Runs"
          records={records}
          columns={columns}
          idAccessor="id"
          searchText={(r) =>
            [r.actor, r.actionId, r.workflow?.name, r.status, ...r.connections, r.startedAt].join(
              " ",
            )
          }
          defaultSort={{ columnAccessor: "startedAt", direction: "desc" }}
          onRowClick={(r) => void navigate(`/runs/${r.id}`)}
          fetching={runs.isFetching && records === undefined}
          toolbar={
            runs.hasNextPage ? (
              <Button
                size="xs"
                variant="default"
                loading={runs.isFetchingNextPage}
                onClick={() => void runs.fetchNextPage()}
              >
                Load older runs
              </Button>
            ) : undefined
          }
          empty={
            filtered ? (
              <Empty
                title="No runs match"
                description="No run has this status, kind or workflow: clear a filter."
              />
            ) : (
              <Empty
                title="No runs yet"
                description="Runs appear here when you run an action or a workflow."
                action={
                  <Group gap="xs" justify="center">
                    <Button component={Link} to="/actions">
                      Open the action catalog
                    </Button>
                    <Button component={Link} to="/workflows" variant="default">
                      Workflows
                    </Button>
                  </Group>
                }
              />
            )
          }
        />
      )}
    </>
  );
}
