import { Anchor, Badge, Button, Group, Text } from "@mantine/core";
import { IconPlus, IconWebhook } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import type { DataTableColumn } from "mantine-datatable";
import { Link, useNavigate } from "react-router";
import { isRunFinished } from "../../api/runs";
import { workflowsQuery, type WorkflowItem } from "../../api/workflows";
import { ListTable } from "../../components/ListTable";
import { Empty, ErrorAlert, PageHeader } from "../../components/page";
import { When } from "../../components/time";
import { StatusBadge } from "../actions/format";
import { NextRun } from "./format";

/** /workflows — every workflow this person may see: its last run and its next scheduled one. */
export function WorkflowsPage() {
  const navigate = useNavigate();
  const workflows = useQuery({
    ...workflowsQuery,
    // A last run still going is followed until it ends.
    refetchInterval: (q) =>
      q.state.data?.some((w) => w.lastRun !== null && !isRunFinished(w.lastRun.status)) === true
        ? 5000
        : false,
  });

  const columns: DataTableColumn<WorkflowItem>[] = [
    {
      accessor: "name",
      title: "Name",
      sortable: true,
      render: (w) => (
        <Anchor component={Link} to={`/workflows/${w.name}`} size="sm" fw={600}>
          {w.name}
        </Anchor>
      ),
    },
    {
      accessor: "project",
      title: "Project",
      sortable: true,
      render: (w) =>
        w.project ?? (
          <Text span size="sm" c="dimmed">
            org
          </Text>
        ),
    },
    { accessor: "version", title: "Version", sortable: true, textAlign: "right" },
    { accessor: "stepCount", title: "Steps", sortable: true, textAlign: "right" },
    {
      accessor: "lastRun.startedAt",
      title: "Last run",
      sortable: true,
      render: (w) =>
        w.lastRun === null ? (
          <Text span size="sm" c="dimmed">
            never
          </Text>
        ) : (
          <Group gap={6} wrap="nowrap">
            <StatusBadge status={w.lastRun.status} />
            <Anchor
              component={Link}
              to={`/runs/${w.lastRun.id}`}
              size="sm"
              onClick={(e) => e.stopPropagation()}
              aria-label={`Last run of ${w.name}`}
            >
              <When iso={w.lastRun.startedAt} />
            </Anchor>
          </Group>
        ),
    },
    {
      accessor: "schedules",
      title: "Next run",
      render: (w) => <NextRun schedules={w.schedules} />,
    },
    {
      accessor: "webhook",
      title: "Webhook",
      sortable: true,
      render: (w) =>
        w.webhook ? (
          <Badge size="sm" variant="light" leftSection={<IconWebhook size={12} />} tt="none">
            webhook
          </Badge>
        ) : (
          ""
        ),
    },
  ];

  return (
    <>
      <PageHeader
        title="Workflows"
        description="Steps across your connections: AWS actions, transforms, HTTP calls and approvals."
        actions={
          <Button leftSection={<IconPlus size={16} />} component={Link} to="/workflows/new">
            New workflow
          </Button>
        }
      />
      {workflows.error !== null ? (
        <ErrorAlert error={workflows.error} onRetry={() => void workflows.refetch()} />
      ) : (
        <ListTable<WorkflowItem>
          label="Workflows"
          records={workflows.data}
          columns={columns}
          idAccessor="name"
          searchText={(w) => [w.name, w.project, w.description, w.lastRun?.status].join(" ")}
          defaultSort={{ columnAccessor: "name", direction: "asc" }}
          onRowClick={(w) => void navigate(`/workflows/${w.name}`)}
          fetching={workflows.isFetching && workflows.data === undefined}
          empty={
            <Empty
              title="No workflows yet"
              description="A workflow chains AWS actions across your connections, with approvals before risky steps, on a schedule, a webhook or by hand."
              action={
                <Button component={Link} to="/workflows/new">
                  Write a workflow
                </Button>
              }
            />
          }
        />
      )}
    </>
  );
}
