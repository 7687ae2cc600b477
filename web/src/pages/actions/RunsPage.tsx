import { Anchor, Button, Code, Group, Text } from "@mantine/core";
import { useInfiniteQuery } from "@tanstack/react-query";
import type { DataTableColumn } from "mantine-datatable";
import { Link, useNavigate } from "react-router";
import { api, unwrap, type Ok } from "../../api/client";
import { useAuth } from "../../app/auth";
import { ListTable } from "../../components/ListTable";
import { Empty, ErrorAlert, PageHeader } from "../../components/page";
import { actorName, StatusBadge } from "./format";
import { formatDuration, When } from "../../components/time";

type RunItem = Ok<"/api/v1/runs", "get">["items"][number];

const PAGE = 200;

/** Where a run went: its connections (first few) and how many targets. */
export function RunTargets(props: { run: Pick<RunItem, "connections" | "targetCount"> }) {
  const { connections, targetCount } = props.run;
  const shown = connections.slice(0, 3);
  return (
    <Text size="sm">
      {shown.join(", ")}
      {connections.length > shown.length ? ` +${connections.length - shown.length}` : ""}
      <Text span size="xs" c="dimmed">
        {shown.length > 0 ? " · " : ""}
        {targetCount} {targetCount === 1 ? "target" : "targets"}
      </Text>
    </Text>
  );
}

/** /runs — recent runs (admins: everyone's; members: their own), newest first. */
export function RunsPage() {
  const { isAdmin } = useAuth();
  const navigate = useNavigate();
  const runs = useInfiniteQuery({
    queryKey: ["runs"],
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/api/v1/runs", {
          params: { query: { limit: PAGE, ...(pageParam === null ? {} : { cursor: pageParam }) } },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    // A run still going is polled until it ends.
    refetchInterval: (q) =>
      q.state.data?.pages.some((p) => p.items.some((r) => r.status === "running")) === true
        ? 2000
        : false,
  });
  const records = runs.data?.pages.flatMap((p) => p.items);

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
      title: "Action",
      sortable: true,
      render: (r) => <Code fz="xs">{r.actionId}</Code>,
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

  return (
    <>
      <PageHeader
        title="Runs"
        description={
          isAdmin
            ? "Every action run in this org, newest first."
            : "Your action runs, newest first."
        }
      />
      {runs.error !== null ? (
        <ErrorAlert error={runs.error} onRetry={() => void runs.refetch()} />
      ) : (
        <ListTable<RunItem>
          label="Runs"
          records={records}
          columns={columns}
          idAccessor="id"
          searchText={(r) =>
            [r.actor, r.actionId, r.status, ...r.connections, r.startedAt].join(" ")
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
            <Empty
              title="No runs yet"
              description="Runs appear here when you run an action: open one in the catalog and choose where to run it."
              action={
                <Button component={Link} to="/actions">
                  Open the action catalog
                </Button>
              }
            />
          }
        />
      )}
    </>
  );
}
