import { Anchor, Badge, Button, Group, Indicator, Text, Tooltip } from "@mantine/core";
import { IconInbox, IconPlugConnected, IconPlus } from "@tabler/icons-react";
import { Link, useNavigate } from "react-router";
import { useAuth } from "../../app/auth";
import { ListTable } from "../../components/ListTable";
import { Empty, ErrorAlert, PageHeader } from "../../components/page";
import { AccessBadge, METHODS } from "./format";
import { useQuery } from "@tanstack/react-query";
import { accessRequestsQuery, connectionsQuery, type Connection } from "../../api/connections";
import { TestBadge } from "./TestResult";

function searchText(c: Connection): string {
  return [
    c.name,
    c.method,
    METHODS[c.method].short,
    c.accountId ?? "",
    c.access,
    c.roleArn ?? "",
    ...c.regions,
    ...Object.entries(c.tags).map(([k, v]) => `${k}=${v}`),
    c.lastTest === null ? "not tested" : c.lastTest.ok ? "ok" : "failed",
  ].join(" ");
}

function Regions(props: { regions: string[] }) {
  if (props.regions.length === 0)
    return (
      <Text span size="sm" c="dimmed">
        on first test
      </Text>
    );
  const shown = props.regions.slice(0, 2).join(", ");
  const more = props.regions.length - 2;
  return (
    <Tooltip label={props.regions.join(", ")} multiline maw={320} openDelay={300}>
      <Text span size="sm">
        {shown}
        {more > 0 ? ` +${more}` : ""}
      </Text>
    </Tooltip>
  );
}

function Tags(props: { tags: Record<string, string> }) {
  const entries = Object.entries(props.tags);
  if (entries.length === 0) return null;
  return (
    <Group gap={4}>
      {entries.map(([k, v]) => (
        <Badge key={k} size="sm" variant="outline" color="gray" tt="none">
          {k}={v}
        </Badge>
      ))}
    </Group>
  );
}

/** /connections: every connection the user can see, with its health. */
export function ConnectionsPage() {
  const { isAdmin } = useAuth();
  const navigate = useNavigate();
  const connections = useQuery(connectionsQuery);
  const pending = useQuery(accessRequestsQuery(isAdmin ? "pending" : undefined));
  const pendingCount = isAdmin
    ? (pending.data?.length ?? 0)
    : (pending.data?.filter((r) => r.status === "pending").length ?? 0);

  const add = (
    <Button component={Link} to="/connections/new" leftSection={<IconPlus size={16} />}>
      Add connection
    </Button>
  );
  const requests = (
    <Indicator disabled={pendingCount === 0} label={pendingCount} size={16} color="red">
      <Button
        component={Link}
        to="/connections/requests"
        variant="default"
        leftSection={<IconInbox size={16} />}
        aria-label={
          pendingCount === 0
            ? "Access requests"
            : `Access requests, ${pendingCount} pending${isAdmin ? "" : " of yours"}`
        }
      >
        Access requests
      </Button>
    </Indicator>
  );

  return (
    <>
      <PageHeader
        title="Connections"
        description="Each connection is one way to get short-lived AWS credentials for one account, with who may view, edit and run actions with it."
        actions={
          <>
            {requests}
            {add}
          </>
        }
      />
      {connections.error !== null && (
        <ErrorAlert error={connections.error} onRetry={() => void connections.refetch()} />
      )}
      <ListTable<Connection>
        label="Connections"
        records={connections.error === null ? connections.data : []}
        idAccessor="id"
        searchText={searchText}
        fetching={connections.isFetching && connections.data === undefined}
        onRowClick={(c) => void navigate(`/connections/${c.name}`)}
        empty={
          <Empty
            icon={<IconPlugConnected size={32} />}
            title="No connections yet"
            description={
              isAdmin
                ? "Connect your first AWS account: the recommended way is a role in that account that Switchboard assumes with an ExternalId it generates for that connection. The form explains each step and tests the connection before you save it."
                : "You have no access to any connection yet. Add one for an account you manage, or ask an admin to grant you access to an existing one."
            }
            action={add}
          />
        }
        columns={[
          {
            accessor: "name",
            title: "Name",
            sortable: true,
            render: (c) => (
              <Anchor
                component={Link}
                to={`/connections/${c.name}`}
                size="sm"
                fw={600}
                onClick={(e) => e.stopPropagation()}
              >
                {c.name}
              </Anchor>
            ),
          },
          {
            accessor: "method",
            title: "Method",
            sortable: true,
            render: (c) => <Text size="sm">{METHODS[c.method].short}</Text>,
          },
          {
            accessor: "accountId",
            title: "Account",
            sortable: true,
            render: (c) =>
              c.accountId === null ? (
                <Text span size="sm" c="dimmed">
                  unknown
                </Text>
              ) : (
                <Text span size="sm" ff="monospace">
                  {c.accountId}
                </Text>
              ),
          },
          {
            accessor: "access",
            title: "Access",
            sortable: true,
            render: (c) => <AccessBadge access={c.access} />,
          },
          {
            accessor: "regions",
            title: "Regions",
            sortable: true,
            sortKey: "regions.length",
            render: (c) => <Regions regions={c.regions} />,
          },
          { accessor: "tags", title: "Tags", render: (c) => <Tags tags={c.tags} /> },
          {
            accessor: "lastTest",
            title: "Last test",
            sortable: true,
            sortKey: "lastTest.checkedAt",
            render: (c) => <TestBadge test={c.lastTest} />,
          },
        ]}
      />
    </>
  );
}
