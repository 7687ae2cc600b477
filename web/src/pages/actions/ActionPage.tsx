import { Anchor, Button, Code, Grid, Group, Paper, Stack, Table, Text, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { IconPlayerPlay, IconPlayerStop, IconShieldCheck } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { Link, useLocation, useParams } from "react-router";
import { api, ApiError, unwrap, type Ok } from "../../api/client";
import { Empty, ErrorAlert, Loading, PageHeader } from "../../components/page";
import { AccessLevelBadge } from "./format";
import { policyLink } from "./PolicyPage";
import { RunResults, type TargetRow } from "./RunResults";
import { streamRun } from "./run-stream";
import { SchemaForm, type FieldError } from "./SchemaForm";
import {
  chosenConnections,
  NO_TARGETS,
  TargetPicker,
  targetsRequest,
  type Targets,
} from "./TargetPicker";

export type ActionInfo = Ok<"/api/v1/actions/{id}", "get">;
type Input = Record<string, unknown>;

export const connectionsKey = ["connections"] as const;

/** What the run page hands over for "Run again": the same input and connections. */
export interface RerunState {
  input?: unknown;
  connections?: string[];
}

function isInput(v: unknown): v is Input {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** For aws.call: the IAM action the chosen operation needs, asked of the server as it is typed. */
function AwsCallPermission(props: { input: Input }) {
  const service = typeof props.input.service === "string" ? props.input.service : "";
  const operation = typeof props.input.operation === "string" ? props.input.operation : "";
  const [debounced] = useDebouncedValue({ service, operation }, 400);
  const ready =
    /^[a-z0-9-]{2,64}$/.test(debounced.service) && /^[A-Z]\w+$/.test(debounced.operation);
  const policy = useQuery({
    queryKey: ["policy", "call", debounced.service, debounced.operation],
    queryFn: () =>
      unwrap(
        api.POST("/api/v1/policies/minimal", {
          body: { actions: [{ service: debounced.service, operation: debounced.operation }] },
        }),
      ),
    enabled: ready,
    retry: false,
  });
  if (!ready) {
    return (
      <Text size="sm" c="dimmed">
        Give a service (the SDK client name: ec2, s3, cloudwatch-logs) and an operation
        (DescribeInstances) to see the permission it needs.
      </Text>
    );
  }
  if (policy.error !== null) return <ErrorAlert error={policy.error} title="Unknown operation" />;
  const actions = policy.data?.Statement.flatMap((s) =>
    Array.isArray(s.Action) ? s.Action.map(String) : typeof s.Action === "string" ? [s.Action] : [],
  );
  return (
    <Group gap="xs">
      <Text size="sm">Needs</Text>
      {actions === undefined ? (
        <Text size="sm" c="dimmed">
          …
        </Text>
      ) : (
        actions.map((a) => <Code key={a}>{a}</Code>)
      )}
      <Anchor
        component={Link}
        size="sm"
        to={policyLink([], [`${debounced.service}:${debounced.operation}`])}
      >
        Least-privilege policy
      </Anchor>
    </Group>
  );
}

function Permissions(props: { action: ActionInfo; input: Input }) {
  const { action } = props;
  if (action.id === "aws.call") return <AwsCallPermission input={props.input} />;
  return (
    <Table
      withRowBorders={false}
      verticalSpacing={2}
      horizontalSpacing="xs"
      aria-label="Permissions"
    >
      <Table.Thead>
        <Table.Tr>
          <Table.Th>IAM action</Table.Th>
          <Table.Th>Access level</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {action.permissions.map((p) => (
          <Table.Tr key={p.action}>
            <Table.Td>
              <Code>{p.action}</Code>
            </Table.Td>
            <Table.Td>
              <AccessLevelBadge level={p.accessLevel} />
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function fieldErrorOf(error: unknown): FieldError | undefined {
  if (!(error instanceof ApiError) || error.field === undefined) return undefined;
  if (error.field === "input") return { path: "", message: error.message };
  if (!error.field.startsWith("input.")) return undefined;
  return { path: error.field.slice("input.".length), message: error.message };
}

interface RunState {
  rows: TargetRow[];
  running: boolean;
  runId: string | null;
  durationMs: number | null;
  error: unknown;
}

const IDLE: RunState = { rows: [], running: false, runId: null, durationMs: null, error: null };

/** /actions/:id — a fresh form for each action. */
export function ActionRoute() {
  const { id = "" } = useParams();
  return <ActionPage key={id} id={id} />;
}

/** The run form generated from the action's input schema, and its results. */
function ActionPage({ id }: { id: string }) {
  const location = useLocation();
  const rerun = (location.state ?? {}) as RerunState;
  const queryClient = useQueryClient();
  const action = useQuery({
    queryKey: ["actions", id],
    queryFn: () => unwrap(api.GET("/api/v1/actions/{id}", { params: { path: { id } } })),
  });
  const connections = useQuery({
    queryKey: connectionsKey,
    queryFn: () => unwrap(api.GET("/api/v1/connections")),
  });
  const [input, setInput] = useState<Input>(isInput(rerun.input) ? rerun.input : {});
  const [targets, setTargets] = useState<Targets>(
    rerun.connections !== undefined && rerun.connections.length > 0
      ? { ...NO_TARGETS, connections: rerun.connections }
      : NO_TARGETS,
  );
  const [run, setRun] = useState<RunState>(IDLE);
  const [selected, setSelected] = useState<number | null>(null);
  const abort = useRef<AbortController | null>(null);
  useEffect(() => () => abort.current?.abort(), []);

  if (action.error !== null)
    return <ErrorAlert error={action.error} onRetry={() => void action.refetch()} />;
  if (connections.error !== null)
    return <ErrorAlert error={connections.error} onRetry={() => void connections.refetch()} />;
  if (action.data === undefined || connections.data === undefined) return <Loading />;
  const info = action.data;
  const executable = connections.data.items.filter((c) => c.myRoles.includes("executor"));
  const request = targetsRequest(targets);
  const chosen = chosenConnections(targets, executable);

  const start = async () => {
    if ("missing" in request) return;
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    setSelected(null);
    setRun({ ...IDLE, running: true });
    const rows: TargetRow[] = [];
    try {
      const end = await streamRun(
        info.id,
        { ...request, input },
        (result) => {
          rows.push({ ...result, idx: rows.length });
          const snapshot = [...rows];
          setRun((r) => ({ ...r, rows: snapshot }));
        },
        controller.signal,
      );
      setRun({
        rows: [...rows],
        running: false,
        runId: end.run.id,
        durationMs: end.run.durationMs,
        error: null,
      });
      // Open the output at once when there is a single target.
      if (rows.length === 1) setSelected(0);
    } catch (error) {
      if (controller.signal.aborted) {
        setRun((r) => ({
          ...r,
          running: false,
          error: new Error("Stopped watching: the run goes on; Runs shows its outcome."),
        }));
      } else setRun((r) => ({ ...r, running: false, error }));
    } finally {
      void queryClient.invalidateQueries({ queryKey: ["runs"] });
    }
  };

  const fieldError = fieldErrorOf(run.error);
  const started = run.running || run.runId !== null || run.rows.length > 0 || run.error !== null;

  return (
    <>
      <PageHeader
        title={info.title}
        description={
          <>
            <Code>{info.id}</Code> · {info.description}
          </>
        }
        actions={
          <>
            <Button variant="default" component={Link} to="/actions">
              Catalog
            </Button>
            <Button
              variant="default"
              leftSection={<IconShieldCheck size={16} />}
              component={Link}
              to={
                info.id === "aws.call"
                  ? policyLink(
                      [],
                      typeof input.service === "string" && typeof input.operation === "string"
                        ? [`${input.service}:${input.operation}`]
                        : [],
                    )
                  : policyLink([info.id], [])
              }
            >
              Least-privilege policy
            </Button>
          </>
        }
      />
      {executable.length === 0 ? (
        <Empty
          title="No connection you may execute"
          description="Running an action needs the executor role on a connection. Ask an editor of the connection for it, or an admin to add you to a team that has it."
          action={
            <Button component={Link} to="/connections">
              See connections
            </Button>
          }
        />
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void start();
          }}
        >
          <Grid gap="md">
            <Grid.Col span={{ base: 12, md: 5 }}>
              <Stack gap="md">
                <Paper withBorder p="md" radius="sm">
                  <Title order={3} fz="sm" mb="sm">
                    Where
                  </Title>
                  <TargetPicker
                    executable={executable}
                    value={targets}
                    onChange={setTargets}
                    global={info.id === "aws.call" ? "depends" : info.global}
                  />
                </Paper>
                <Paper withBorder p="md" radius="sm">
                  <Title order={3} fz="sm" mb="xs">
                    Permissions
                  </Title>
                  <Stack gap="xs">
                    <Group gap="xs">
                      <Text size="sm">Access level</Text>
                      <AccessLevelBadge level={info.accessLevel} />
                    </Group>
                    <Permissions action={info} input={input} />
                    {chosen.some((c) => c.access !== "full") && (
                      <Text size="xs" c="dimmed">
                        Connections with access view or read refuse any operation outside AWS&apos;s
                        ViewOnlyAccess or ReadOnlyAccess before a request leaves Switchboard.
                      </Text>
                    )}
                  </Stack>
                </Paper>
              </Stack>
            </Grid.Col>
            <Grid.Col span={{ base: 12, md: 7 }}>
              <Paper withBorder p="md" radius="sm">
                {info.id === "aws.call" && (
                  <Text size="sm" c="dimmed" mb="sm">
                    Any operation of an AWS SDK v3 client installed with Switchboard: service is the
                    client name (ec2, s3, cloudwatch-logs, secrets-manager), operation the command
                    (DescribeInstances), input its parameters as JSON. Pages are followed and
                    joined.
                  </Text>
                )}
                <SchemaForm
                  schema={info.inputSchema ?? {}}
                  value={input}
                  onChange={setInput}
                  error={fieldError}
                />
                <Text size="xs" c="dimmed" mt="sm">
                  Output: <Code>{info.output}</Code>
                </Text>
              </Paper>
            </Grid.Col>
          </Grid>
          <Group mt="md" gap="sm">
            {run.running ? (
              <Button
                color="red"
                variant="light"
                leftSection={<IconPlayerStop size={16} />}
                onClick={() => abort.current?.abort()}
              >
                Stop watching
              </Button>
            ) : (
              <Button
                type="submit"
                leftSection={<IconPlayerPlay size={16} />}
                disabled={"missing" in request}
              >
                Run
              </Button>
            )}
            {"missing" in request && (
              <Text size="sm" c="dimmed">
                {request.missing}
              </Text>
            )}
          </Group>
        </form>
      )}
      {started && (
        <Stack mt="lg" gap="sm" component="section" aria-label="Results">
          <Title order={2} fz="h4">
            Results
          </Title>
          {run.error !== null && (
            <ErrorAlert
              error={run.error}
              title={
                run.error instanceof ApiError && run.error.status === 403 ? "Refused" : undefined
              }
            />
          )}
          {(run.rows.length > 0 || run.running || run.runId !== null) && (
            <RunResults
              rows={run.rows}
              running={run.running}
              durationMs={run.durationMs}
              runId={run.runId}
              linkToRun
              selected={selected}
              onSelect={setSelected}
            />
          )}
        </Stack>
      )}
      {!started && executable.length > 0 && (
        <Text size="sm" c="dimmed" mt="lg">
          Results appear here: each target (connection × region) gets a row as it finishes; choose
          one to see its output.
        </Text>
      )}
    </>
  );
}
