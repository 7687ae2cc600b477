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
  Stack,
  TagsInput,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconPlayerPlay } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useState, type FormEvent, type ReactNode } from "react";
import { Link, useNavigate, useParams } from "react-router";
import {
  connectionQuery,
  connectionsQuery,
  secretPathsQuery,
  useSaveConnection,
  useTestDraft,
  type Connection,
  type CreateBody,
} from "../../api/connections";
import { projectsQuery } from "../../api/keystore";
import { useAuth } from "../../app/auth";
import { erroredField, fieldError, fieldId, revealField } from "../../components/field-errors";
import { ErrorAlert, Loading, PageHeader } from "../../components/page";
import { READABLE_TITLE } from "../../components/readable-title";
import {
  AWS_REGIONS,
  EMPTY_FORM,
  FIELDS,
  FORM_ID,
  fromConnection,
  isSubjectReserved,
  teamGrants,
  toCreateBody,
  toUpdateBody,
  type FormState,
} from "./connection-form";
import { DraftDocuments } from "./DraftDocuments";
import { ACCESS, METHODS } from "./format";
import { FormOutcome } from "./FormOutcome";
import { MethodGuide } from "./MethodGuide";
import { MethodPicker } from "./MethodPicker";
import { refusalOf, refusalText } from "./OutboundRefusal";
import { TeamAccessInput } from "./TeamAccessInput";

const TRUST_POLICY_ID = "connection-trust-policy";

function Section(props: {
  title: string;
  children: ReactNode;
  description?: ReactNode;
  id?: string;
}) {
  return (
    <Paper withBorder p="md" component="section" aria-label={props.title} id={props.id}>
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

function ConnectionForm(props: { original?: Connection }) {
  const { isAdmin } = useAuth();
  const navigate = useNavigate();
  const editing = props.original;
  const replacing = editing?.name;
  const initial = useMemo(
    () => (editing === undefined ? EMPTY_FORM : fromConnection(editing)),
    [editing],
  );
  const [state, setState] = useState<FormState>(initial);
  const set = (patch: Partial<FormState>) => setState((s) => ({ ...s, ...patch }));
  const testDraft = useTestDraft(replacing);
  const saveConnection = useSaveConnection(replacing);
  // The outcome beside the buttons is the last one clicked's.
  const [lastAction, setLastAction] = useState<"test" | "save">("test");
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

  const connections = useQuery(connectionsQuery);
  const secretPaths = useQuery({ ...secretPathsQuery, enabled: state.method === "access_key" });
  const projects = useQuery({ ...projectsQuery, enabled: editing === undefined });

  const built = toCreateBody(state);
  const body = "body" in built ? built.body : null;
  const local = "error" in built ? built.error : null;
  const sent: CreateBody | null =
    body !== null && body.method === "assume_role" && draftExternalId !== undefined
      ? { ...body, externalId: draftExternalId }
      : body;
  const error = lastAction === "test" ? testDraft.error : saveConnection.error;
  // A new assume_role draft tested before its ExternalId was known (Test clicked before the
  // documents beside the form came back) was issued one by the test: what was tested is the body
  // with that ExternalId, which the form keeps (runTest), so the result is not "changed since".
  const testedBody =
    testDraft.variables?.method === "assume_role" &&
    testDraft.variables.externalId === undefined &&
    testDraft.data?.externalId !== undefined
      ? { ...testDraft.variables, externalId: testDraft.data.externalId }
      : testDraft.variables;
  const tested =
    testDraft.data === undefined || testedBody === undefined
      ? null
      : {
          result: testDraft.data,
          stale: JSON.stringify(testedBody) !== JSON.stringify(sent),
        };
  const roleMethod = state.method === "assume_role" || state.method === "web_identity";
  const refusal = refusalOf(error);

  // A field the server refused is brought into view; a refused host is explained beside the
  // buttons, where its fix is.
  const faultyField = isSubjectReserved(error) ? "name" : erroredField(error, FIELDS);
  useEffect(() => {
    if (faultyField !== undefined && refusal === undefined) revealField(FORM_ID, faultyField);
    // Once per error (faultyField and refusal follow from it), not on every render.
  }, [error]);

  const runTest = () => {
    if (sent === null) return;
    setLastAction("test");
    testDraft.mutate(sent, {
      onSuccess: (result) => keepExternalId(result.externalId),
      onError: (e) => noteError(e, sent.name),
    });
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const typedName = state.name.trim();
    setLastAction("save");
    let change: Parameters<typeof saveConnection.mutateAsync>[0];
    if (editing === undefined) {
      if (sent === null) return;
      const grants = teamGrants(state.teamAccess);
      change = { create: grants.length === 0 ? sent : { ...sent, grants } };
    } else {
      const update = toUpdateBody(initial, state);
      if ("error" in update) return;
      change = { update: update.body };
    }
    try {
      const name = await saveConnection.mutateAsync(change);
      notifications.show({
        message: editing === undefined ? `Connection ${name} added` : `Connection ${name} saved`,
        color: "teal",
      });
      void navigate(`/connections/${name}`);
    } catch (e) {
      noteError(e, typedName);
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

  const showTrustPolicy = roleMethod ? (
    <Button
      size="xs"
      variant="light"
      color="red"
      onClick={() => document.getElementById(TRUST_POLICY_ID)?.scrollIntoView({ block: "start" })}
    >
      Show the trust policy beside the form
    </Button>
  ) : undefined;

  return (
    <form onSubmit={(e) => void save(e)} noValidate>
      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: 6 }}>
          <Stack gap="md">
            <Section title="Connection">
              {editing === undefined ? (
                <MethodPicker
                  id={fieldId(FORM_ID, "method")}
                  value={state.method}
                  onChange={(method) => {
                    set({ method });
                    testDraft.reset();
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
                id={fieldId(FORM_ID, "name")}
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
                    id={fieldId(FORM_ID, "accessKeyId")}
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
                    id={fieldId(FORM_ID, "secretPath")}
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
                  id={fieldId(FORM_ID, "roleArn")}
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
                  id={fieldId(FORM_ID, "sourceConnection")}
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
                    id={fieldId(FORM_ID, "sessionDurationSeconds")}
                    error={fieldError(error, "sessionDurationSeconds")}
                  />
                  <TagsInput
                    label="Session policy ARNs"
                    description="Optional managed policies that narrow the session further"
                    placeholder="arn:aws:iam::aws:policy/…"
                    value={state.policyArns}
                    onChange={(policyArns) => set({ policyArns })}
                    id={fieldId(FORM_ID, "policyArns")}
                    error={fieldError(error, "policyArns")}
                  />
                </Group>
              )}
              <Radio.Group
                label="Access"
                description="Checked before any request leaves Switchboard"
                value={state.access}
                onChange={(v) => set({ access: v })}
                id={fieldId(FORM_ID, "access")}
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
                id={fieldId(FORM_ID, "regions")}
                error={fieldError(error, "regions")}
                searchable
                clearable
              />
              <TextInput
                label="Endpoint"
                description={
                  <>
                    Optional base URL for every AWS call (VPC endpoint, LocalStack). Its host must
                    be on the org&apos;s{" "}
                    <Anchor component={Link} to="/settings/outbound" size="xs" underline="always">
                      outbound allow-list
                    </Anchor>
                    {isAdmin ? "; a test offers to add it." : "; an org admin adds hosts to it."}
                  </>
                }
                placeholder="https://…"
                value={state.endpoint}
                onChange={(e) => set({ endpoint: e.currentTarget.value })}
                id={fieldId(FORM_ID, "endpoint")}
                error={refusal !== undefined ? refusalText(refusal) : fieldError(error, "endpoint")}
                autoComplete="off"
              />
              <TagsInput
                label="Tags"
                description="key=value, Enter after each; fan-outs can pick connections by tag"
                placeholder="env=prod"
                value={state.tags}
                onChange={(tags) => set({ tags })}
                id={fieldId(FORM_ID, "tags")}
                error={fieldError(error, "tags", local)}
              />
              {editing === undefined && (projects.data?.length ?? 0) > 0 && (
                <Select
                  label="Project"
                  description="Optional: keep it with a project's workflows"
                  data={(projects.data ?? []).map((p) => p.name)}
                  value={state.project}
                  onChange={(project) => set({ project })}
                  id={fieldId(FORM_ID, "project")}
                  error={fieldError(error, "project")}
                  clearable
                />
              )}
            </Section>
            {editing === undefined && (
              <Section
                title="Team access"
                description="Who else may use it from the start; saved with the connection."
              >
                <TeamAccessInput
                  id={fieldId(FORM_ID, "grants")}
                  value={state.teamAccess}
                  onChange={(teamAccess) => set({ teamAccess })}
                  error={fieldError(error, "grants")}
                />
              </Section>
            )}
            <Section
              title="Test and save"
              description="Test asks AWS for credentials and who they belong to, without saving anything."
            >
              <Group justify="space-between">
                <Button
                  variant="light"
                  leftSection={<IconPlayerPlay size={16} />}
                  onClick={runTest}
                  loading={testDraft.isPending}
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
                  <Button type="submit" loading={saveConnection.isPending} disabled={body === null}>
                    {editing === undefined ? "Save connection" : "Save changes"}
                  </Button>
                </Group>
              </Group>
              <div aria-live="polite">
                <FormOutcome
                  action={lastAction}
                  error={error}
                  test={tested}
                  trustPolicy={showTrustPolicy}
                  onAllowed={runTest}
                />
              </div>
              {tested === null && error === null && (
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
              <Section title="Trust policy and template" id={TRUST_POLICY_ID}>
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
  const connection = useQuery(connectionQuery(name));
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
