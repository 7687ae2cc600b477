import { Anchor, Button, Code, Grid, Group, Paper, Stack, Table, Text, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { IconPlayerPlay, IconPlayerStop, IconShieldCheck } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { Link, useLocation, useParams } from "react-router";
import {
  actionQuery,
  minimalPolicyQuery,
  usePlanRun,
  useRunAction,
  type ActionInfo,
  type RunPlan,
  type RunRequest,
  type TargetResult,
} from "../../api/actions";
import { ApiError } from "../../api/client";
import { connectionsQuery } from "../../api/connections";
import { DidYouMean } from "../../components/DidYouMean";
import { Empty, ErrorAlert, Loading, PageHeader } from "../../components/page";
import { ConfirmWrite } from "./ConfirmWrite";
import { AccessLevelBadge } from "./format";
import { policyLink } from "./PolicyPage";
import { RunResults, type TargetRow } from "./RunResults";
import { SchemaForm, type FieldError } from "./SchemaForm";
import {
  chosenConnections,
  NO_TARGETS,
  TargetPicker,
  targetsRequest,
  type Targets,
} from "./TargetPicker";

type Input = Record<string, unknown>;

/** What the run page hands over for "Run again": the same input and connections. */
export interface RerunState {
  input?: unknown;
  connections?: string[];
}

function isInput(v: unknown): v is Input {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** For aws.call: the IAM action the chosen operation needs, asked of the server as it is typed. */
function AwsCallPermission(props: { input: Input; onPick: (field: string, name: string) => void }) {
  const service = typeof props.input.service === "string" ? props.input.service : "";
  const operation = typeof props.input.operation === "string" ? props.input.operation : "";
  const [debounced] = useDebouncedValue({ service, operation }, 400);
  const ready =
    /^[a-z0-9-]{2,64}$/.test(debounced.service) && /^[A-Z]\w+$/.test(debounced.operation);
  const policy = useQuery({
    ...minimalPolicyQuery([{ service: debounced.service, operation: debounced.operation }]),
    enabled: ready,
  });
  if (!ready) {
    return (
      <Text size="sm" c="dimmed">
        Give a service (the SDK client name: ec2, s3, cloudwatch-logs) and an operation
        (DescribeInstances) to see the permission it needs.
      </Text>
    );
  }
  if (policy.error !== null)
    return (
      <Stack gap="xs">
        <ErrorAlert error={policy.error} title="Unknown operation" />
        <DidYouMean
          error={policy.error}
          onPick={(field, name) => props.onPick(field?.split(".").at(-1) ?? "operation", name)}
        />
      </Stack>
    );
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

function Permissions(props: {
  action: ActionInfo;
  input: Input;
  onPick: (field: string, name: string) => void;
}) {
  const { action } = props;
  if (action.id === "aws.call")
    return <AwsCallPermission input={props.input} onPick={props.onPick} />;
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

/**
 * The targets streamed so far. Results arriving together are added together (at most one render
 * every 100 ms): a fan-out over thousands of targets would otherwise sort its table once per target.
 */
function useStreamedRows() {
  const [rows, setRows] = useState<TargetRow[]>([]);
  const buffer = useRef<TargetResult[]>([]);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const flush = () => {
    if (timer.current !== null) clearTimeout(timer.current);
    timer.current = null;
    const arrived = buffer.current;
    buffer.current = [];
    if (arrived.length > 0)
      setRows((r) => [...r, ...arrived.map((result, i) => ({ ...result, idx: r.length + i }))]);
  };
  useEffect(
    () => () => {
      if (timer.current !== null) clearTimeout(timer.current);
    },
    [],
  );
  return {
    rows,
    push: (result: TargetResult) => {
      buffer.current.push(result);
      timer.current ??= setTimeout(flush, 100);
    },
    flush,
    reset: () => {
      if (timer.current !== null) clearTimeout(timer.current);
      timer.current = null;
      buffer.current = [];
      setRows([]);
    },
  };
}

/** /actions/:id — a fresh form for each action. */
export function ActionRoute() {
  const { id = "" } = useParams();
  return <ActionPage key={id} id={id} />;
}

/** An action id that does not exist: what the server suggests instead. */
function UnknownAction(props: { error: unknown; onRetry: () => void }) {
  return (
    <>
      <PageHeader title="Action" />
      <Stack gap="sm">
        <ErrorAlert error={props.error} onRetry={props.onRetry} />
        <DidYouMean error={props.error} links={(name) => `/actions/${name}`} />
      </Stack>
    </>
  );
}

/** The run form generated from the action's input schema, and its results. */
function ActionPage({ id }: { id: string }) {
  const location = useLocation();
  const rerun = (location.state ?? {}) as RerunState;
  const action = useQuery(actionQuery(id));
  const connections = useQuery(connectionsQuery);
  const planner = usePlanRun();
  const runner = useRunAction();
  const [input, setInput] = useState<Input>(isInput(rerun.input) ? rerun.input : {});
  const [targets, setTargets] = useState<Targets>(
    rerun.connections !== undefined && rerun.connections.length > 0
      ? { ...NO_TARGETS, connections: rerun.connections }
      : NO_TARGETS,
  );
  // The targets streamed so far (data as it arrives; busy and error are the mutation's).
  const streamed = useStreamedRows();
  const rows = streamed.rows;
  const [total, setTotal] = useState<number | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [confirming, setConfirming] = useState<{ plan: RunPlan; body: RunRequest } | null>(null);
  const abort = useRef<AbortController | null>(null);
  useEffect(() => () => abort.current?.abort(), []);

  if (action.error !== null)
    return <UnknownAction error={action.error} onRetry={() => void action.refetch()} />;
  if (connections.error !== null)
    return <ErrorAlert error={connections.error} onRetry={() => void connections.refetch()} />;
  if (action.data === undefined || connections.data === undefined) return <Loading />;
  const info = action.data;
  const executable = connections.data.filter((c) => c.myRoles.includes("executor"));
  const request = targetsRequest(targets);
  const chosen = chosenConnections(targets, executable);

  const execute = (body: RunRequest, plan: RunPlan) => {
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    setSelected(null);
    streamed.reset();
    setTotal(plan.summary.total);
    runner.mutate(
      {
        actionId: info.id,
        body,
        signal: controller.signal,
        onResult: streamed.push,
      },
      {
        onSettled: streamed.flush,
        // Open the output at once when there is a single target.
        onSuccess: (end) => {
          if (end.summary.total === 1) setSelected(0);
        },
      },
    );
  };

  // First the plan (no AWS call): a write waits for the person to confirm it, anything else runs.
  const start = () => {
    if ("missing" in request) return;
    const body: RunRequest = { ...request, input };
    runner.reset();
    planner.mutate(
      { actionId: info.id, body },
      {
        onSuccess: (plan) => {
          if (plan.write) setConfirming({ plan, body });
          else execute(body, plan);
        },
      },
    );
  };

  const pick = (field: string | undefined, name: string) => {
    const key = (field ?? "").replace(/^input\./, "");
    if (key !== "" && !key.includes(".")) setInput((i) => ({ ...i, [key]: name }));
  };

  const stopped = runner.error !== null && abort.current?.signal.aborted === true;
  const runError = stopped
    ? new Error("Stopped watching: the run goes on; Runs shows its outcome.")
    : runner.error;
  const fieldError = fieldErrorOf(planner.error) ?? fieldErrorOf(runner.error);
  const running = runner.isPending;
  const started = running || runner.data !== undefined || rows.length > 0 || runError !== null;

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
            start();
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
                    <Permissions action={info} input={input} onPick={pick} />
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
                    joined. An operation that can change something shows its plan and asks first.
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
          <Stack mt="md" gap="sm">
            <Group gap="sm">
              {running ? (
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
                  loading={planner.isPending}
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
            {planner.error !== null && (
              <>
                <ErrorAlert
                  error={planner.error}
                  title={
                    planner.error instanceof ApiError && planner.error.status === 403
                      ? "Refused"
                      : undefined
                  }
                />
                <DidYouMean error={planner.error} onPick={pick} />
              </>
            )}
          </Stack>
        </form>
      )}
      <ConfirmWrite
        plan={confirming?.plan ?? null}
        onCancel={() => setConfirming(null)}
        onConfirm={(plan) => {
          const body = confirming?.body;
          setConfirming(null);
          if (body !== undefined) execute(body, plan);
        }}
      />
      {started && (
        <Stack mt="lg" gap="sm" component="section" aria-label="Results">
          <Title order={2} fz="h4">
            Results
          </Title>
          {runError !== null && (
            <>
              <ErrorAlert
                error={runError}
                title={
                  runError instanceof ApiError && runError.status === 403 ? "Refused" : undefined
                }
              />
              <DidYouMean error={runError} onPick={pick} />
            </>
          )}
          {(rows.length > 0 || running || runner.data !== undefined) && (
            <RunResults
              rows={rows}
              running={running}
              total={total}
              actionId={info.id}
              durationMs={runner.data?.run.durationMs ?? null}
              runId={runner.data?.run.id ?? null}
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
          one to see its output, or see every target&apos;s items in one table.
        </Text>
      )}
    </>
  );
}
