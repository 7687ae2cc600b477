import {
  Alert,
  Anchor,
  Badge,
  Button,
  DataList,
  Grid,
  Group,
  Paper,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import {
  IconArrowLeft,
  IconLock,
  IconPencil,
  IconPlayerPlay,
  IconShieldLock,
  IconTrash,
} from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { Link, Outlet, useParams } from "react-router";
import { api, unwrap } from "../../api/client";
import { Empty, ErrorAlert, Loading, PageHeader } from "../../components/page";
import { AccessBadge, METHODS, principalLabel, ROLES } from "./format";
import {
  connectionKey,
  connectionsKey,
  useAccessRequests,
  useConnection,
  useGrants,
  type Connection,
} from "./queries";
import { SetupDocumentsView } from "./SetupDocumentsView";
import { READABLE_TITLE, TestResultView } from "./TestResult";
import { formatDateTime, When } from "../../components/time";

function Card(props: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <Paper withBorder p="md" component="section" aria-label={props.title}>
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={2} fz="md">
            {props.title}
          </Title>
          {props.actions}
        </Group>
        {props.children}
      </Stack>
    </Paper>
  );
}

function Item(props: { label: string; children: ReactNode }) {
  return (
    <DataList.Item>
      <DataList.ItemLabel>{props.label}</DataList.ItemLabel>
      <DataList.ItemValue>{props.children}</DataList.ItemValue>
    </DataList.Item>
  );
}

function Mono(props: { children: ReactNode }) {
  return (
    <Text span size="sm" ff="monospace" style={{ overflowWrap: "anywhere" }}>
      {props.children}
    </Text>
  );
}

function none(text = "none") {
  return (
    <Text span size="sm" c="dimmed">
      {text}
    </Text>
  );
}

function Settings(props: { c: Connection }) {
  const c = props.c;
  const tags = Object.entries(c.tags);
  return (
    <DataList size="sm" labelWidth={150} withDivider>
      <Item label="Method">{METHODS[c.method].label}</Item>
      {c.accessKeyId !== undefined && (
        <Item label="Access key id">
          <Mono>{c.accessKeyId}</Mono>
        </Item>
      )}
      {c.secretPath !== undefined && (
        <Item label="Secret (key store)">
          <Mono>{c.secretPath}</Mono>
        </Item>
      )}
      {c.roleArn !== undefined && (
        <Item label="Role ARN">
          <Mono>{c.roleArn}</Mono>
        </Item>
      )}
      {c.method === "assume_role" && (
        <Item label="Source">
          {c.sourceConnection === undefined ? (
            "Server identity (ambient)"
          ) : (
            <Anchor component={Link} to={`/connections/${c.sourceConnection}`} size="sm">
              {c.sourceConnection}
            </Anchor>
          )}
        </Item>
      )}
      {c.externalId !== undefined && (
        <Item label="ExternalId">
          <Mono>{c.externalId}</Mono>
        </Item>
      )}
      {c.webIdentity !== undefined && (
        <>
          <Item label="OIDC issuer">
            <Mono>{c.webIdentity.issuer}</Mono>
          </Item>
          <Item label="Audience (aud)">
            <Mono>{c.webIdentity.audience}</Mono>
          </Item>
          <Item label="Subject (sub)">
            <Mono>{c.webIdentity.subject}</Mono>
          </Item>
        </>
      )}
      {(c.method === "assume_role" || c.method === "web_identity") && (
        <>
          <Item label="Session duration">
            {c.sessionDurationSeconds === undefined
              ? none("AWS default (3600 s)")
              : `${c.sessionDurationSeconds} s`}
          </Item>
          <Item label="Session policies">
            {c.policyArns === undefined || c.policyArns.length === 0 ? (
              none()
            ) : (
              <Stack gap={2}>
                {c.policyArns.map((arn) => (
                  <Mono key={arn}>{arn}</Mono>
                ))}
              </Stack>
            )}
          </Item>
        </>
      )}
      <Item label="Access">
        <AccessBadge access={c.access} />
      </Item>
      <Item label="Account">
        {c.accountId === null ? none("unknown until tested") : <Mono>{c.accountId}</Mono>}
      </Item>
      <Item label="Regions">
        {c.regions.length === 0 ? none("learnt on the first test") : c.regions.join(", ")}
      </Item>
      <Item label="Endpoint">{c.endpoint === null ? none("AWS") : <Mono>{c.endpoint}</Mono>}</Item>
      <Item label="Tags">
        {tags.length === 0 ? (
          none()
        ) : (
          <Group gap={4}>
            {tags.map(([k, v]) => (
              <Badge key={k} size="sm" variant="outline" color="gray" tt="none">
                {k}={v}
              </Badge>
            ))}
          </Group>
        )}
      </Item>
      {c.project !== null && <Item label="Project">{c.project}</Item>}
      <Item label="Created">
        {formatDateTime(c.createdAt)} by {c.createdBy.replace(/^user:/, "")}
      </Item>
      <Item label="Changed">
        <When iso={c.updatedAt} />
      </Item>
    </DataList>
  );
}

function SavedDocuments(props: { c: Connection }) {
  const name = props.c.name;
  const docs = useQuery({
    queryKey: ["connections", "documents", name, props.c.updatedAt],
    queryFn: async () => {
      const path = { params: { path: { name } } };
      const [trustPolicy, cloudFormation] = await Promise.all([
        unwrap(api.GET("/api/v1/connections/{name}/trust-policy", path)),
        unwrap(api.GET("/api/v1/connections/{name}/setup", path)),
      ]);
      return { trustPolicy, cloudFormation };
    },
  });
  if (docs.error !== null) return <ErrorAlert error={docs.error} />;
  if (docs.data === undefined) return <Loading label="Loading the setup documents" />;
  return <SetupDocumentsView name={name} {...docs.data} />;
}

function Grants(props: { c: Connection }) {
  const grants = useGrants(props.c.name);
  if (grants.error !== null) return <ErrorAlert error={grants.error} />;
  if (grants.data === undefined) return <Loading label="Loading permissions" />;
  if (grants.data.length === 0)
    return (
      <Empty
        title="No grants"
        description="Only org admins can use this connection. Set permissions to let users or teams view, edit or run actions with it."
      />
    );
  const byPrincipal = new Map<string, string[]>();
  for (const g of grants.data)
    byPrincipal.set(g.principal, [...(byPrincipal.get(g.principal) ?? []), g.role]);
  return (
    <Table aria-label="Grants" striped withTableBorder>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Who</Table.Th>
          <Table.Th>Roles</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {[...byPrincipal].map(([principal, roles]) => (
          <Table.Tr key={principal}>
            <Table.Td>{principalLabel(principal)}</Table.Td>
            <Table.Td>
              <Group gap={4}>
                {roles.map((r) => (
                  <Badge key={r} size="sm" variant="light" tt="none" title={ROLES[r as "viewer"]}>
                    {r}
                  </Badge>
                ))}
              </Group>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** The user's own pending edit-access request for this connection, if any. */
function usePendingRequest(name: string, enabled: boolean) {
  const mine = useAccessRequests("pending");
  return enabled ? mine.data?.find((r) => r.connection === name) : undefined;
}

/** /connections/:name: its settings, last test, setup documents and grants. */
export function ConnectionPage() {
  const { name = "" } = useParams();
  const queryClient = useQueryClient();
  const connection = useConnection(name);
  const [testing, setTesting] = useState(false);
  const [testError, setTestError] = useState<unknown>(null);
  const c = connection.data;
  const canEdit = c?.myRoles.includes("editor") ?? false;
  const canTest = c !== undefined && (canEdit || c.myRoles.includes("executor"));
  const pending = usePendingRequest(name, c !== undefined && !canEdit);

  const runTest = async () => {
    setTesting(true);
    setTestError(null);
    try {
      const result = await unwrap(
        api.POST("/api/v1/connections/{name}/test", { params: { path: { name } } }),
      );
      notifications.show({
        message: result.ok ? `${name} works` : `${name}: test failed (${result.error?.code ?? ""})`,
        color: result.ok ? "teal" : "red",
      });
      await queryClient.invalidateQueries({ queryKey: connectionKey(name) });
      await queryClient.invalidateQueries({ queryKey: connectionsKey, exact: true });
    } catch (e) {
      setTestError(e);
    } finally {
      setTesting(false);
    }
  };

  const back = (
    <Anchor component={Link} to="/connections" size="sm">
      <Group gap={4}>
        <IconArrowLeft size={14} /> Connections
      </Group>
    </Anchor>
  );

  if (connection.error !== null)
    return (
      <>
        {back}
        <PageHeader title={name} />
        <ErrorAlert error={connection.error} onRetry={() => void connection.refetch()} />
      </>
    );
  if (c === undefined) return <Loading />;

  return (
    <>
      {back}
      <PageHeader
        title={c.name}
        description={`${METHODS[c.method].label}${c.accountId === null ? "" : ` · account ${c.accountId}`} · your roles: ${c.myRoles.join(", ")}`}
        actions={
          <>
            {canTest && (
              <Button
                variant="light"
                leftSection={<IconPlayerPlay size={16} />}
                onClick={() => void runTest()}
                loading={testing}
              >
                Test
              </Button>
            )}
            {canEdit ? (
              <>
                <Button
                  component={Link}
                  to={`/connections/${c.name}/edit`}
                  variant="default"
                  leftSection={<IconPencil size={16} />}
                >
                  Edit
                </Button>
                <Button
                  component={Link}
                  to={`/connections/${c.name}/permissions`}
                  variant="default"
                  leftSection={<IconShieldLock size={16} />}
                >
                  Set permissions
                </Button>
                <Button
                  component={Link}
                  to={`/connections/${c.name}/remove`}
                  variant="light"
                  color="red"
                  leftSection={<IconTrash size={16} />}
                >
                  Remove
                </Button>
              </>
            ) : pending !== undefined ? (
              <Badge variant="dot" color="yellow" size="lg" tt="none">
                Edit access requested
              </Badge>
            ) : (
              <Button
                component={Link}
                to={`/connections/${c.name}/request-access`}
                variant="default"
                leftSection={<IconLock size={16} />}
              >
                Request edit access
              </Button>
            )}
          </>
        }
      />
      {testError !== null && <ErrorAlert error={testError} />}
      {pending !== undefined && (
        <Alert
          color="yellow"
          variant="light"
          mb="md"
          styles={READABLE_TITLE}
          title="Waiting for an admin"
        >
          You asked for edit access <When iso={pending.createdAt} />: “{pending.reason}”.
        </Alert>
      )}
      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: 6 }}>
          <Stack gap="md">
            <Card title="Settings">
              <Settings c={c} />
            </Card>
            <Card title="Permissions">
              <Grants c={c} />
            </Card>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 6 }}>
          <Stack gap="md">
            <Card title="Last test">
              {c.lastTest === null ? (
                <Text size="sm" c="dimmed">
                  Not tested yet. {canTest ? "Test it to learn its account and regions." : ""}
                </Text>
              ) : (
                <TestResultView test={c.lastTest} />
              )}
            </Card>
            {(c.method === "assume_role" || c.method === "web_identity") && (
              <Card title="Setup documents">
                <SavedDocuments c={c} />
              </Card>
            )}
          </Stack>
        </Grid.Col>
      </Grid>
      <Outlet context={c} />
    </>
  );
}
