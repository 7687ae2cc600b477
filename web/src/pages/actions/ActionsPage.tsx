import { Anchor, Button, Checkbox, Code, Group, Stack, Text, VisuallyHidden } from "@mantine/core";
import { IconShieldCheck } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import type { DataTableColumn } from "mantine-datatable";
import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { actionsQuery, type ActionItem } from "../../api/actions";
import { ListTable } from "../../components/ListTable";
import { Empty, ErrorAlert, PageHeader } from "../../components/page";
import { AccessLevelBadge } from "./format";
import { policyLink } from "./PolicyPage";

type Action = ActionItem;

/** /actions — the catalog: search, access levels, permissions; tick actions for their policy. */
export function ActionsPage() {
  const navigate = useNavigate();
  const catalog = useQuery(actionsQuery());
  const [picked, setPicked] = useState<string[]>([]);
  const toggle = (id: string) =>
    setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id]));

  const columns: DataTableColumn<Action>[] = [
    {
      accessor: "pick",
      title: <VisuallyHidden>In the policy</VisuallyHidden>,
      width: 40,
      render: (a) =>
        a.id === "aws.call" ? null : (
          <Checkbox
            size="xs"
            aria-label={`Include ${a.id} in the policy`}
            checked={picked.includes(a.id)}
            onChange={() => toggle(a.id)}
            onClick={(e) => e.stopPropagation()}
          />
        ),
    },
    {
      accessor: "id",
      title: "Action",
      sortable: true,
      render: (a) => (
        <Stack gap={0}>
          <Anchor component={Link} to={`/actions/${a.id}`} size="sm" ff="monospace">
            {a.id}
          </Anchor>
          <Text size="xs" c="dimmed">
            {a.title}
          </Text>
        </Stack>
      ),
    },
    { accessor: "service", title: "Service", sortable: true },
    {
      accessor: "accessLevel",
      title: "Access level",
      sortable: true,
      render: (a) => <AccessLevelBadge level={a.accessLevel} />,
    },
    {
      accessor: "permissions",
      title: "IAM permissions",
      render: (a) =>
        a.permissions.length === 0 ? (
          <Text size="xs" c="dimmed">
            the operation called
          </Text>
        ) : (
          <Group gap={4}>
            {a.permissions.map((p) => (
              <Code key={p.action} fz="xs">
                {p.action}
              </Code>
            ))}
          </Group>
        ),
    },
    {
      accessor: "description",
      title: "Description",
      render: (a) => (
        <Text size="xs" lineClamp={2}>
          {a.description}
          {a.global ? " Runs once per account." : ""}
        </Text>
      ),
    },
  ];

  return (
    <>
      <PageHeader
        title="Actions"
        description="Typed AWS operations and aws.call for any other; each says the IAM permissions it needs. Open one to run it across connections and regions."
        actions={
          <Button
            variant="default"
            leftSection={<IconShieldCheck size={16} />}
            component={Link}
            to={policyLink(picked, [])}
          >
            Least-privilege policy{picked.length > 0 ? ` (${picked.length})` : ""}
          </Button>
        }
      />
      {catalog.error !== null ? (
        <ErrorAlert error={catalog.error} onRetry={() => void catalog.refetch()} />
      ) : (
        <ListTable<Action>
          label="Action catalog"
          records={catalog.data?.items}
          columns={columns}
          idAccessor="id"
          searchText={(a) =>
            [
              a.id,
              a.title,
              a.service,
              a.accessLevel,
              a.description,
              ...a.permissions.map((p) => p.action),
            ].join(" ")
          }
          defaultSort={{ columnAccessor: "id", direction: "asc" }}
          onRowClick={(a) => void navigate(`/actions/${a.id}`)}
          pageSizes={[50, 100]}
          toolbar={
            <Text size="xs" c="dimmed">
              {picked.length === 0
                ? "Tick actions to build their least-privilege policy"
                : `${picked.length} ticked for the policy`}
            </Text>
          }
          empty={
            <Empty
              title="No actions"
              description="This server's catalog is empty; aws.call should always be there, so check the server's logs."
            />
          }
        />
      )}
    </>
  );
}
