import { Anchor, Button, Card, Group, Select, Stack, Text, TextInput } from "@mantine/core";
import { IconBuildingSkyscraper } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { connectionsQuery } from "../../api/connections";
import {
  organizationsQuery,
  useCreateOrganization,
  type Organization,
} from "../../api/organizations";
import { ListTable } from "../../components/ListTable";
import { Empty, ErrorAlert, PageHeader } from "../../components/page";

function AddOrganization() {
  const navigate = useNavigate();
  const connections = useQuery(connectionsQuery);
  const create = useCreateOrganization();
  const [name, setName] = useState("");
  const [connection, setConnection] = useState<string | null>(null);
  const tested = (connections.data ?? []).filter((c) => c.lastTest?.ok === true);
  return (
    <Card withBorder>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate(
            { name, connection: connection ?? "", grants: [] },
            { onSuccess: (o) => void navigate(`/organizations/${o.name}`) },
          );
        }}
      >
        <Stack gap="sm">
          <Text fw={600}>Add an AWS Organization</Text>
          <Text size="sm" c="dimmed">
            From a tested connection into the organization&apos;s management account, or into a
            delegated administrator of CloudFormation StackSets.
          </Text>
          <Group align="end">
            <TextInput
              label="Name"
              description="member connections are named <name>-<account id>"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              required
            />
            <Select
              label="Management connection"
              data={tested.map((c) => ({
                value: c.name,
                label: `${c.name} (${c.accountId ?? "?"})`,
              }))}
              value={connection}
              onChange={setConnection}
              searchable
              required
            />
            <Button
              type="submit"
              loading={create.isPending}
              disabled={name === "" || connection === null}
            >
              Add organization
            </Button>
          </Group>
          {create.error !== null && <ErrorAlert error={create.error} title="Not added" />}
        </Stack>
      </form>
    </Card>
  );
}

/** /organizations: the AWS Organizations Switchboard knows, and adding one. Org admins only. */
export function OrganizationsPage() {
  const navigate = useNavigate();
  const organizations = useQuery(organizationsQuery);
  return (
    <>
      <PageHeader
        title="Organizations"
        description="Onboard every account of an AWS Organization (or of some OUs) in one step; a scheduled reconcile keeps the member connections in step as accounts join, leave or are suspended."
      />
      <Stack>
        <AddOrganization />
        {organizations.error !== null && (
          <ErrorAlert error={organizations.error} onRetry={() => void organizations.refetch()} />
        )}
        <ListTable<Organization>
          label="Organizations"
          records={organizations.error === null ? organizations.data : []}
          idAccessor="name"
          fetching={organizations.isFetching && organizations.data === undefined}
          onRowClick={(o) => void navigate(`/organizations/${o.name}`)}
          empty={
            <Empty
              icon={<IconBuildingSkyscraper size={32} />}
              title="No organization yet"
              description="Add one above from a connection into its management account."
            />
          }
          columns={[
            {
              accessor: "name",
              title: "Name",
              sortable: true,
              render: (o) => (
                <Anchor component={Link} to={`/organizations/${o.name}`} size="sm" fw={600}>
                  {o.name}
                </Anchor>
              ),
            },
            { accessor: "awsOrganizationId", title: "AWS organization", sortable: true },
            { accessor: "managementAccountId", title: "Management account", sortable: true },
            { accessor: "connection", title: "Connection", sortable: true },
            {
              accessor: "onboarding",
              title: "Onboarded",
              render: (o) => (o.onboarding === null ? "not yet" : o.onboarding.onboardedAt),
            },
            {
              accessor: "deployment",
              title: "StackSet",
              render: (o) => o.deployment?.status ?? "-",
            },
            {
              accessor: "lastSync",
              title: "Last reconcile",
              render: (o) =>
                o.lastSync === null
                  ? "never"
                  : `${o.lastSync.status} ${o.lastSync.finishedAt ?? ""}`,
            },
          ]}
        />
      </Stack>
    </>
  );
}
