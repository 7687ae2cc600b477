import { Alert, Anchor, Button, Card, Group, Progress, Select, Stack, Text } from "@mantine/core";
import { IconRefresh, IconRocket, IconTemplate, IconWand } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useParams } from "react-router";
import {
  organizationQuery,
  useDeploy,
  useSync,
  type OrganizationAccount,
  type OrganizationTree,
} from "../../api/organizations";
import { ListTable } from "../../components/ListTable";
import { Empty, ErrorAlert, Loading, PageHeader } from "../../components/page";
import { AccountStatusBadge, accountStatus } from "./status";

function Deployment(props: { tree: OrganizationTree }) {
  const o = props.tree.organization;
  const deploy = useDeploy(o.name);
  const [region, setRegion] = useState<string | null>(o.onboarding?.regions[0] ?? null);
  if (o.onboarding === null) return null;
  const inScope = props.tree.accounts.filter((a) => a.inScope && a.membership === "member");
  const done = inScope.filter((a) => a.stackInstance.status === "SUCCEEDED").length;
  const d = o.deployment;
  return (
    <Card withBorder>
      <Stack gap="xs">
        <Text fw={600}>Member role StackSet</Text>
        {d === null ? (
          <Text size="sm" c="dimmed">
            Not deployed by Switchboard. Deploy the template yourself, or here (needs a full
            management connection).
          </Text>
        ) : (
          <>
            <Text size="sm">
              {d.stackSetName} in {d.region}: <b>{d.status}</b>
              {d.operationId === null ? "" : ` (operation ${d.operationId})`}
            </Text>
            <Progress
              value={inScope.length === 0 ? 0 : (100 * done) / inScope.length}
              aria-label={`Stack instances: ${done} of ${inScope.length} succeeded`}
            />
            <Text size="sm" c="dimmed">
              {done} of {inScope.length} onboarded accounts have the role
            </Text>
            {d.error !== null && (
              <Alert color="red" title={d.error.code}>
                {d.error.message} Fix: {d.error.fix}
              </Alert>
            )}
          </>
        )}
        <Group align="end">
          <Select
            label="Region"
            data={o.onboarding.regions}
            value={region}
            onChange={setRegion}
            w={180}
          />
          <Button
            leftSection={<IconRocket size={16} />}
            loading={deploy.isPending}
            disabled={region === null || d?.status === "RUNNING"}
            onClick={() => region !== null && deploy.mutate(region)}
          >
            Deploy StackSet
          </Button>
        </Group>
        {deploy.error !== null && <ErrorAlert error={deploy.error} title="Not deployed" />}
      </Stack>
    </Card>
  );
}

function searchText(a: OrganizationAccount): string {
  return [a.accountId, a.name, a.ouPath, a.state, a.connection ?? "", accountStatus(a).label].join(
    " ",
  );
}

/** /organizations/:name: the tree with each account's status, the deployment, the ledger. */
export function OrganizationPage() {
  const { name = "" } = useParams();
  const tree = useQuery(organizationQuery(name));
  const sync = useSync(name);
  if (tree.error !== null)
    return <ErrorAlert error={tree.error} onRetry={() => void tree.refetch()} />;
  if (tree.data === undefined) return <Loading label="Loading the organization" />;
  const o = tree.data.organization;
  const reachable = tree.data.accounts.filter((a) => accountStatus(a).label === "reachable").length;
  return (
    <>
      <PageHeader
        title={o.name}
        description={`AWS organization ${o.awsOrganizationId}, management account ${o.managementAccountId}, read through ${o.connection ?? "a deleted connection"}${o.callAs === "DELEGATED_ADMIN" ? " (a delegated administrator)" : ""}.`}
        actions={
          <>
            {o.onboarding === null ? (
              <Button
                component={Link}
                to={`/organizations/${o.name}/onboard`}
                leftSection={<IconWand size={16} />}
              >
                Onboard accounts
              </Button>
            ) : (
              <Button
                component={Link}
                to={`/organizations/${o.name}/template`}
                variant="default"
                leftSection={<IconTemplate size={16} />}
              >
                Member role template
              </Button>
            )}
            <Button
              variant="default"
              leftSection={<IconRefresh size={16} />}
              loading={sync.isPending || o.lastSync?.status === "running"}
              onClick={() => sync.mutate()}
            >
              Reconcile now
            </Button>
          </>
        }
      />
      <Stack>
        <Deployment tree={tree.data} />
        <Text size="sm" aria-live="polite">
          {o.lastSync === null
            ? "Not reconciled yet."
            : `Last reconcile: ${o.lastSync.status} ${o.lastSync.finishedAt ?? o.lastSync.startedAt}. ${reachable} accounts reachable.`}
        </Text>
        {o.lastSync?.error != null && (
          <Alert color="red" title={o.lastSync.error.code}>
            {o.lastSync.error.message} Fix: {o.lastSync.error.fix}
          </Alert>
        )}
        <ListTable<OrganizationAccount>
          label="Accounts"
          records={tree.data.accounts}
          idAccessor="accountId"
          searchText={searchText}
          defaultSort={{ columnAccessor: "ouPath", direction: "asc" }}
          pageSizes={[50, 100, 500]}
          empty={<Empty title="No accounts" description="The organization lists no account." />}
          columns={[
            { accessor: "ouPath", title: "OU", sortable: true },
            {
              accessor: "accountId",
              title: "Account",
              sortable: true,
              render: (a) => (
                <Text size="sm" ff="monospace">
                  {a.accountId}
                </Text>
              ),
            },
            { accessor: "name", title: "Name", sortable: true },
            {
              accessor: "connection",
              title: "Connection",
              sortable: true,
              render: (a) =>
                a.connection === null ? (
                  "-"
                ) : (
                  <Anchor component={Link} to={`/connections/${a.connection}`} size="sm">
                    {a.connection}
                  </Anchor>
                ),
            },
            {
              accessor: "stackInstance.status",
              title: "Stack instance",
              sortable: true,
              render: (a) => a.stackInstance.status ?? "-",
            },
            {
              accessor: "ledger.assumable",
              title: "Status",
              sortable: true,
              render: (a) => <AccountStatusBadge account={a} />,
            },
            {
              accessor: "ledger.lastError",
              title: "Last error",
              render: (a) =>
                a.ledger.lastError === null
                  ? "-"
                  : `${a.ledger.lastError.code} (${a.ledger.lastErrorAt ?? ""})`,
            },
          ]}
        />
      </Stack>
    </>
  );
}
