import {
  Alert,
  Anchor,
  Autocomplete,
  Button,
  Checkbox,
  Grid,
  Group,
  MultiSelect,
  NumberInput,
  Paper,
  Radio,
  Select,
  SimpleGrid,
  Stack,
  TagsInput,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { IconPlayerPlay } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useState, type FormEvent, type ReactNode } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { api, unwrap } from "../../api/client";
import { useAuth } from "../../app/auth";
import { ErrorAlert, Loading, PageHeader } from "../../components/page";
import {
  AWS_REGIONS,
  CONNECTION_NAME,
  EMPTY_FORM,
  fieldError,
  fromConnection,
  isOtherError,
  isSubjectReserved,
  ROLE_ARN,
  toCreateBody,
  toUpdateBody,
  type CreateBody,
  type FormState,
} from "./connection-form";
import { ACCESS, METHOD_ORDER, METHODS } from "./format";
import { MethodGuide } from "./MethodGuide";
import {
  connectionKey,
  connectionsKey,
  useConnection,
  useConnections,
  useProjects,
  useSecretPaths,
  type Connection,
  type ConnectionTest,
  type Method,
} from "./queries";
import { SetupDocumentsView } from "./SetupDocumentsView";
import { READABLE_TITLE, TestResultView } from "./TestResult";

const FIELDS = [
  "name",
  "method",
  "access",
  "regions",
  "endpoint",
  "tags",
  "project",
  "accessKeyId",
  "secretPath",
  "roleArn",
  "sourceConnection",
  "sessionDurationSeconds",
  "policyArns",
];

function Section(props: { title: string; children: ReactNode; description?: ReactNode }) {
  return (
    <Paper withBorder p="md" component="section" aria-label={props.title}>
      <Stack gap="sm">
        <div>
          <Title order={2} fz="md">
            {props.title}
          </Title>
          {props.description !== undefined && (
            <Text size="sm" c="dimmed">
              {props.description}
            </Text>
          )}
        </div>
        {props.children}
      </Stack>
    </Paper>
  );
}

/**
 * The trust policy and template of what the form holds, fetched as the user types. A new
 * assume_role draft is issued its ExternalId here, which the form then keeps (onExternalId).
 * The server refuses a web_identity draft whose name has a reserved subject, often before the
 * form is saved or tested: onSubjectReserved tells the form, which explains it by the name.
 */
function DraftDocuments(props: {
  body: CreateBody | null;
  replacing: string | undefined;
  onExternalId: (externalId: string | undefined) => void;
  onSubjectReserved: (name: string) => void;
}) {
  const [body] = useDebouncedValue(props.body, 300);
  const ready =
    body !== null &&
    (body.method === "assume_role" || body.method === "web_identity") &&
    CONNECTION_NAME.test(body.name) &&
    ROLE_ARN.test(body.roleArn);
  const docs = useQuery({
    queryKey: ["connections", "draft-documents", props.replacing ?? null, body],
    queryFn: () =>
      unwrap(
        api.POST("/api/v1/connections/setup-documents", {
          body: body as CreateBody,
          params: { query: props.replacing === undefined ? {} : { replacing: props.replacing } },
        }),
      ),
    enabled: ready,
    placeholderData: (previous) => previous,
  });
  const issued = docs.data?.externalId;
  const { onExternalId } = props;
  useEffect(() => onExternalId(issued), [issued, onExternalId]);
  const reserved = isSubjectReserved(docs.error) ? body?.name : undefined;
  const { onSubjectReserved } = props;
  useEffect(() => {
    if (reserved !== undefined) onSubjectReserved(reserved);
  }, [reserved, onSubjectReserved]);
  if (!ready)
    return (
      <Text size="sm" c="dimmed">
        Enter a name and the role&apos;s ARN to see the trust policy and the CloudFormation template
        for it.
      </Text>
    );
  if (reserved !== undefined)
    return (
      <Text size="sm" c="dimmed">
        No documents for this name: its token subject was another connection&apos;s (see the Name
        field).
      </Text>
    );
  if (docs.error !== null)
    return <ErrorAlert error={docs.error} title="The documents could not be made" />;
  if (docs.data === undefined) return <Loading label="Loading the trust policy" />;
  return (
    <SetupDocumentsView
      name={body.name}
      externalId={docs.data.externalId}
      trustPolicy={docs.data.trustPolicy}
      cloudFormation={docs.data.cloudFormation}
    />
  );
}

function MethodPicker(props: {
  value: Method;
  onChange: (m: Method) => void;
  isAdmin: boolean;
  error?: string | undefined;
}) {
  return (
    <Radio.Group
      value={props.value}
      onChange={(v) => props.onChange(v)}
      label="Method"
      description="How Switchboard obtains credentials for this account"
      error={props.error}
    >
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs" mt="xs">
        {METHOD_ORDER.map((m) => {
          const disabled = m === "ambient" && !props.isAdmin;
          return (
            <Radio.Card key={m} value={m} p="sm" radius="sm" disabled={disabled}>
              <Group wrap="nowrap" align="flex-start" gap="sm">
                <Radio.Indicator mt={2} disabled={disabled} />
                <div>
                  <Text size="sm" fw={600}>
                    {METHODS[m].label}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {disabled
                      ? "Only org admins may use the server's identity."
                      : METHODS[m].summary}
                  </Text>
                </div>
              </Group>
            </Radio.Card>
          );
        })}
      </SimpleGrid>
    </Radio.Group>
  );
}

function ConnectionForm(props: { original?: Connection }) {
  const { isAdmin } = useAuth();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const editing = props.original;
  const initial = useMemo(
    () => (editing === undefined ? EMPTY_FORM : fromConnection(editing)),
    [editing],
  );
  const [state, setState] = useState<FormState>(initial);
  const set = (patch: Partial<FormState>) => setState((s) => ({ ...s, ...patch }));
  const [saveError, setSaveError] = useState<unknown>(null);
  const [testError, setTestError] = useState<unknown>(null);
  const [test, setTest] = useState<{ result: ConnectionTest; bodyJson: string } | null>(null);
  const [testing, setTesting] = useState(false);
  const [saving, setSaving] = useState(false);
  // The last name the server refused because its token subject was another connection's.
  const [reservedName, setReservedName] = useState<string | null>(null);
  const noteError = (e: unknown, name: string) => {
    if (isSubjectReserved(e)) setReservedName(name);
  };
  // A new assume_role connection keeps the ExternalId its draft documents were issued: the role
  // set up from the documents shown here trusts that one. An edit keeps the saved connection's.
  const [draftExternalId, setDraftExternalId] = useState<string | undefined>(undefined);
  const keepExternalId = useMemo(
    () => (value: string | undefined) => {
      if (editing === undefined && value !== undefined)
        setDraftExternalId((current) => current ?? value);
    },
    [editing],
  );

  const connections = useConnections();
  const secretPaths = useSecretPaths(state.method === "access_key");
  const projects = useProjects(editing === undefined);

  const built = toCreateBody(state);
  const body = "body" in built ? built.body : null;
  const local = "error" in built ? built.error : null;
  const bodyJson = body === null ? "" : JSON.stringify(body);
  const sent: CreateBody | null =
    body !== null && body.method === "assume_role" && draftExternalId !== undefined
      ? { ...body, externalId: draftExternalId }
      : body;
  const stale = test !== null && test.bodyJson !== bodyJson;
  const replacing = editing?.name;
  const error = saveError ?? testError;
  const roleMethod = state.method === "assume_role" || state.method === "web_identity";

  const runTest = async () => {
    if (sent === null) return;
    setTesting(true);
    setTestError(null);
    try {
      const result = await unwrap(
        api.POST("/api/v1/connections/test", {
          body: sent,
          params: { query: replacing === undefined ? {} : { replacing } },
        }),
      );
      setTest({ result, bodyJson });
    } catch (e) {
      setTest(null);
      setTestError(e);
      noteError(e, sent.name);
    } finally {
      setTesting(false);
    }
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const typedName = state.name.trim();
    setSaving(true);
    setSaveError(null);
    try {
      let name: string;
      if (editing === undefined) {
        if (sent === null) return;
        name = (await unwrap(api.POST("/api/v1/connections", { body: sent }))).name;
      } else {
        const update = toUpdateBody(initial, state);
        if ("error" in update) return;
        name = (
          await unwrap(
            api.PATCH("/api/v1/connections/{name}", {
              params: { path: { name: editing.name } },
              body: update.body,
            }),
          )
        ).name;
      }
      // Record the saved connection's health, as the list and fan-outs read it.
      await unwrap(
        api.POST("/api/v1/connections/{name}/test", { params: { path: { name } } }),
      ).catch(() => undefined);
      await queryClient.invalidateQueries({ queryKey: connectionsKey });
      queryClient.removeQueries({ queryKey: connectionKey(editing?.name ?? name) });
      notifications.show({
        message: editing === undefined ? `Connection ${name} added` : `Connection ${name} saved`,
        color: "teal",
      });
      void navigate(`/connections/${name}`);
    } catch (e) {
      setSaveError(e);
      noteError(e, typedName);
    } finally {
      setSaving(false);
    }
  };

  const sources = (connections.data ?? [])
    .filter((c) => c.myRoles.includes("executor") && c.name !== editing?.name)
    .map((c) => ({ value: c.name, label: `${c.name} (${METHODS[c.method].short})` }));
  const renamedWebIdentity =
    editing !== undefined && state.method === "web_identity" && state.name.trim() !== editing.name;
  const subject = `switchboard:connection/${state.name.trim()}`;
  // Shown from the server's refusal until the name changes (which clears the confirmation too).
  const subjectReserved = state.method === "web_identity" && reservedName === state.name.trim();
  const reservedHint = isAdmin
    ? "or confirm below that this connection takes it over"
    : "or ask an org admin: only they may give this connection that subject";
  let nameError = fieldError(isSubjectReserved(error) ? null : error, "name");
  if (subjectReserved)
    nameError = state.confirmSubjectReuse
      ? undefined
      : `${subject} was the token subject of a connection that was deleted or renamed, and AWS roles may still trust it. Choose another name, ${reservedHint}.`;

  return (
    <form onSubmit={(e) => void save(e)} noValidate>
      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: 6 }}>
          <Stack gap="md">
            {isOtherError(error, FIELDS) && (
              <ErrorAlert
                error={error}
                title={saveError !== null ? "The connection was not saved" : undefined}
              />
            )}
            <Section title="Connection">
              {editing === undefined ? (
                <MethodPicker
                  value={state.method}
                  onChange={(method) => {
                    set({ method });
                    setTest(null);
                  }}
                  isAdmin={isAdmin}
                  error={fieldError(error, "method")}
                />
              ) : (
                <Text size="sm">
                  Method: <b>{METHODS[state.method].label}</b>. A method cannot be changed: add a
                  new connection instead.
                </Text>
              )}
              <TextInput
                label="Name"
                description="Lower-case letters, digits, '.', '_' or '-'. Web identity puts it in the token's subject."
                value={state.name}
                onChange={(e) => set({ name: e.currentTarget.value, confirmSubjectReuse: false })}
                error={nameError}
                required
                autoComplete="off"
                data-autofocus
              />
              {renamedWebIdentity && (
                <Checkbox
                  label={`Renaming changes the token subject to switchboard:connection/${state.name.trim()}: I have updated the role's trust policy`}
                  checked={state.confirmRename}
                  onChange={(e) => set({ confirmRename: e.currentTarget.checked })}
                />
              )}
              {subjectReserved && isAdmin && (
                <Checkbox
                  label={`Reuse the token subject ${subject}`}
                  description="Every AWS role that trusted the earlier connection's subject will trust this connection. Check only if you have reviewed those roles' trust policies and that is intended."
                  checked={state.confirmSubjectReuse}
                  onChange={(e) => set({ confirmSubjectReuse: e.currentTarget.checked })}
                />
              )}
              {state.method === "access_key" && (
                <>
                  <TextInput
                    label="Access key id"
                    placeholder="AKIA…"
                    value={state.accessKeyId}
                    onChange={(e) => set({ accessKeyId: e.currentTarget.value })}
                    error={fieldError(error, "accessKeyId")}
                    required
                    autoComplete="off"
                    ff="monospace"
                  />
                  <Autocomplete
                    label="Secret access key: key-store path"
                    description={
                      <>
                        Where the secret is stored; pick one or type a path.{" "}
                        {/* Inside text, a link needs more than its colour (WCAG 1.4.1). */}
                        <Anchor component={Link} to="/keystore" size="xs" underline="always">
                          Store a new secret
                        </Anchor>
                      </>
                    }
                    placeholder="keys/system/aws-prod"
                    data={secretPaths.data ?? []}
                    value={state.secretPath}
                    onChange={(secretPath) => set({ secretPath })}
                    error={fieldError(error, "secretPath")}
                    required
                    autoComplete="off"
                  />
                </>
              )}
              {roleMethod && (
                <TextInput
                  label="Role ARN"
                  placeholder="arn:aws:iam::111111111111:role/switchboard-read"
                  value={state.roleArn}
                  onChange={(e) => set({ roleArn: e.currentTarget.value })}
                  error={fieldError(error, "roleArn")}
                  required
                  autoComplete="off"
                  ff="monospace"
                />
              )}
              {state.method === "assume_role" && (
                <Select
                  label="Source connection"
                  description={
                    isAdmin
                      ? "Whose credentials assume the role. Empty: the server's own identity."
                      : "Whose credentials assume the role: a connection you may execute with. Only org admins may leave it empty (the server's own identity)."
                  }
                  placeholder="Server identity (ambient)"
                  data={sources}
                  value={state.sourceConnection}
                  onChange={(sourceConnection) => set({ sourceConnection })}
                  error={fieldError(error, "sourceConnection")}
                  clearable
                  searchable
                  nothingFoundMessage="No connection you may execute with"
                />
              )}
              {roleMethod && (
                <Group grow align="flex-start">
                  <NumberInput
                    label="Session duration (seconds)"
                    description="900 to 43200; the role's maximum must allow it"
                    placeholder="3600"
                    min={900}
                    max={43200}
                    step={900}
                    value={state.sessionDurationSeconds}
                    onChange={(sessionDurationSeconds) => set({ sessionDurationSeconds })}
                    error={fieldError(error, "sessionDurationSeconds")}
                  />
                  <TagsInput
                    label="Session policy ARNs"
                    description="Optional managed policies that narrow the session further"
                    placeholder="arn:aws:iam::aws:policy/…"
                    value={state.policyArns}
                    onChange={(policyArns) => set({ policyArns })}
                    error={fieldError(error, "policyArns")}
                  />
                </Group>
              )}
              <Radio.Group
                label="Access"
                description="Checked before any request leaves Switchboard"
                value={state.access}
                onChange={(v) => set({ access: v })}
                error={fieldError(error, "access")}
              >
                <Stack gap={6} mt={6}>
                  {(["view", "read", "full"] as const).map((a) => (
                    <Radio key={a} value={a} label={a} description={ACCESS[a].description} />
                  ))}
                </Stack>
              </Radio.Group>
              <MultiSelect
                label="Regions"
                description="Where it may run. Empty: every region the account has enabled, learnt on the first test."
                placeholder={state.regions.length === 0 ? "All enabled regions" : undefined}
                data={[...new Set([...AWS_REGIONS, ...state.regions])]}
                value={state.regions}
                onChange={(regions) => set({ regions })}
                error={fieldError(error, "regions")}
                searchable
                clearable
              />
              <TextInput
                label="Endpoint"
                description="Optional base URL for every AWS call (VPC endpoint, LocalStack); its host must be on the outbound allow-list"
                placeholder="https://…"
                value={state.endpoint}
                onChange={(e) => set({ endpoint: e.currentTarget.value })}
                error={fieldError(error, "endpoint")}
                autoComplete="off"
              />
              <TagsInput
                label="Tags"
                description="key=value, Enter after each; fan-outs can pick connections by tag"
                placeholder="env=prod"
                value={state.tags}
                onChange={(tags) => set({ tags })}
                error={fieldError(error, "tags", local)}
              />
              {editing === undefined && (projects.data?.length ?? 0) > 0 && (
                <Select
                  label="Project"
                  description="Optional: keep it with a project's workflows"
                  data={(projects.data ?? []).map((p) => p.name)}
                  value={state.project}
                  onChange={(project) => set({ project })}
                  error={fieldError(error, "project")}
                  clearable
                />
              )}
            </Section>
            <Section
              title="Test and save"
              description="Test asks AWS for credentials and who they belong to, without saving anything."
            >
              {test !== null && (
                <TestResultView
                  test={test.result}
                  title={
                    stale
                      ? "Settings changed since this test: test again"
                      : test.result.ok
                        ? "AWS accepts this connection"
                        : undefined
                  }
                />
              )}
              <Group justify="space-between">
                <Button
                  variant="light"
                  leftSection={<IconPlayerPlay size={16} />}
                  onClick={() => void runTest()}
                  loading={testing}
                  disabled={body === null}
                >
                  Test connection
                </Button>
                <Group gap="xs">
                  <Button
                    variant="default"
                    component={Link}
                    to={editing === undefined ? "/connections" : `/connections/${editing.name}`}
                  >
                    Cancel
                  </Button>
                  <Button type="submit" loading={saving} disabled={body === null}>
                    {editing === undefined ? "Save connection" : "Save changes"}
                  </Button>
                </Group>
              </Group>
              {test === null && (
                <Text size="xs" c="dimmed">
                  Saving without a passing test is allowed: the connection shows its last test until
                  it works.
                </Text>
              )}
            </Section>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 6 }}>
          <Stack gap="md">
            <Section title={`Set up in AWS: ${METHODS[state.method].label.toLowerCase()}`}>
              <MethodGuide
                method={state.method}
                access={state.access}
                name={state.name.trim()}
                externalId={editing?.externalId ?? draftExternalId}
              />
            </Section>
            {roleMethod && (
              <Section title="Trust policy and template">
                <DraftDocuments
                  body={sent}
                  replacing={replacing}
                  onExternalId={keepExternalId}
                  onSubjectReserved={setReservedName}
                />
              </Section>
            )}
            {state.method === "access_key" &&
              secretPaths.data !== undefined &&
              secretPaths.data.length === 0 && (
                <Alert
                  color="yellow"
                  variant="light"
                  styles={READABLE_TITLE}
                  title="The key store has no secret yet"
                >
                  Store the secret access key first, then come back and pick its path.
                </Alert>
              )}
          </Stack>
        </Grid.Col>
      </Grid>
    </form>
  );
}

/** /connections/new */
export function NewConnectionPage() {
  return (
    <>
      <PageHeader
        title="Add a connection"
        description="Choose how Switchboard signs in to the account, follow the steps for AWS, test, then save."
      />
      <ConnectionForm />
    </>
  );
}

/** /connections/:name/edit */
export function EditConnectionPage() {
  const { name = "" } = useParams();
  const connection = useConnection(name);
  return (
    <>
      <PageHeader
        title={`Edit ${name}`}
        description="Change the settings, test the changed connection, then save."
      />
      {connection.error !== null ? (
        <ErrorAlert error={connection.error} onRetry={() => void connection.refetch()} />
      ) : connection.data === undefined ? (
        <Loading />
      ) : !connection.data.myRoles.includes("editor") ? (
        <Alert
          color="yellow"
          variant="light"
          styles={READABLE_TITLE}
          title="You cannot edit this connection"
        >
          You need the editor role on {name}.{" "}
          <Anchor component={Link} to={`/connections/${name}/request-access`} size="sm">
            Request edit access
          </Anchor>
        </Alert>
      ) : (
        <ConnectionForm key={connection.data.updatedAt} original={connection.data} />
      )}
    </>
  );
}
