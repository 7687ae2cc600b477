import { Anchor, Button, Code, DataList, Paper, Stack, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconPlayerPlay, IconPlayerStop, IconRepeat } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { canRedrive, isRunFinished, runQuery, useRunCommand, type RunDetail } from "../../api/runs";
import { ConfirmModal } from "../../components/ConfirmModal";
import { JsonTree } from "../../components/JsonTree";
import { ErrorAlert, Loading, PageHeader } from "../../components/page";
import { formatDateTime, formatDuration, When } from "../../components/time";
import type { RerunState } from "../actions/ActionPage";
import { actorName, StatusBadge } from "../actions/format";
import { RunResults } from "../actions/RunResults";
import { RunTargets } from "./RunTargets";
import { StepCard } from "./StepCard";

type Result = NonNullable<RunDetail["results"]>[number];
const SETTLED = ["succeeded", "failed", "refused", "skipped"] as const;
type Settled = Result & { status: (typeof SETTLED)[number] };

/** A finished single action's targets, for the in-page table; undefined while any is still open. */
function settledResults(results: Result[]): Settled[] | undefined {
  const settled = results.filter((t): t is Settled =>
    (SETTLED as readonly string[]).includes(t.status),
  );
  return settled.length === results.length ? settled : undefined;
}

/** A single action's failures so far, from its targets when the run holds them all. */
function failuresOf(run: RunDetail): { failed: number; refused: number } | undefined {
  if (run.results === undefined || run.results.length < run.targetCount) return undefined;
  return {
    failed: run.results.filter((t) => t.status === "failed").length,
    refused: run.results.filter((t) => t.status === "refused").length,
  };
}

function Item(props: { label: string; children: ReactNode }) {
  return (
    <DataList.Item>
      <DataList.ItemLabel>{props.label}</DataList.ItemLabel>
      <DataList.ItemValue>{props.children}</DataList.ItemValue>
    </DataList.Item>
  );
}

function Facts(props: { run: RunDetail }) {
  const r = props.run;
  return (
    <Paper withBorder p="md" radius="sm" component="section" aria-label="About this run">
      <DataList orientation="horizontal">
        <Item label="Status">
          <StatusBadge status={r.status} />
        </Item>
        {r.workflow !== null ? (
          <Item label="Workflow">
            <Anchor component={Link} to={`/workflows/${r.workflow.name}`} size="sm">
              {r.workflow.name}
            </Anchor>{" "}
            version {r.workflow.version}
          </Item>
        ) : (
          <Item label="Action">
            <Anchor component={Link} to={`/actions/${r.actionId}`} size="sm">
              {r.actionId}
            </Anchor>
          </Item>
        )}
        <Item label="Who">{actorName(r.actor)}</Item>
        {r.trigger !== null && <Item label="Trigger">{r.trigger}</Item>}
        {r.runAs !== null && r.runAs !== actorName(r.actor) && (
          <Item label="Runs as">{r.runAs}</Item>
        )}
        <Item label="Started">
          <When iso={r.startedAt} /> ({formatDateTime(r.startedAt)})
        </Item>
        <Item label="Duration">{formatDuration(r.durationMs)}</Item>
        <Item label="Where">
          <RunTargets run={r} />
        </Item>
      </DataList>
    </Paper>
  );
}

function Controls(props: { run: RunDetail; commands: ReturnType<typeof useRunCommand> }) {
  const r = props.run;
  const { cancel, redrive } = props.commands;
  const rerun: RerunState = { input: r.input, connections: r.connections };
  const [confirmCancel, setConfirmCancel] = useState(false);
  return (
    <>
      <Button variant="default" component={Link} to="/runs">
        All runs
      </Button>
      {!isRunFinished(r.status) && (
        <Button
          color="red"
          variant="light"
          leftSection={<IconPlayerStop size={16} />}
          loading={cancel.isPending}
          onClick={() => setConfirmCancel(true)}
        >
          Cancel run
        </Button>
      )}
      <ConfirmModal
        opened={confirmCancel}
        title="Cancel this run?"
        confirmLabel="Cancel run"
        dismissLabel="Keep running"
        onConfirm={async () => {
          await cancel.mutateAsync();
          notifications.show({ message: "Cancelling the run", color: "teal" });
        }}
        onClose={() => setConfirmCancel(false)}
      >
        Calls in flight are stopped and targets not started yet are not sent; finished targets keep
        their results. A cancelled run can be redriven: its cancelled and failed parts run again.
      </ConfirmModal>
      {canRedrive(r.status) && (
        <Button
          variant="light"
          leftSection={<IconRepeat size={16} />}
          loading={redrive.isPending}
          onClick={() =>
            redrive.mutate(undefined, {
              onSuccess: () =>
                notifications.show({
                  message: "Running the failed steps and targets again",
                  color: "teal",
                }),
            })
          }
        >
          Redrive
        </Button>
      )}
      {r.kind === "action" && r.actionId !== null && (
        <Button
          leftSection={<IconPlayerPlay size={16} />}
          component={Link}
          to={`/actions/${r.actionId}`}
          state={rerun}
        >
          Run again
        </Button>
      )}
    </>
  );
}

/**
 * /runs/:id — a single action's or a workflow's run: who ran what, each step's status, timing,
 * output and targets, updated while it runs; cancel, redrive, approve or decline.
 */
export function RunPage() {
  const { id = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const run = useQuery(runQuery(id));
  const commands = useRunCommand(id);
  const { cancel, redrive } = commands;
  const target = params.get("target");
  const selected = target === null || !/^\d+$/.test(target) ? null : Number(target);

  if (run.error !== null)
    return (
      <>
        <PageHeader title="Run" />
        <ErrorAlert error={run.error} onRetry={() => void run.refetch()} />
      </>
    );
  if (run.data === undefined) return <Loading />;
  const r = run.data;
  const live = !isRunFinished(r.status);
  // A single action's targets come with the run (the first 500): the table sorts and filters them
  // in the page; beyond that, or for a workflow, each step pages its targets from the server.
  const results =
    r.kind === "action" && r.results !== undefined && r.results.length >= r.targetCount
      ? settledResults(r.results)
      : undefined;

  return (
    <>
      <PageHeader
        title={
          r.workflow !== null ? `Run of ${r.workflow.name}` : `Run of ${r.actionId ?? "an action"}`
        }
        description={
          <>
            Run <Code fz="xs">{r.id}</Code>
          </>
        }
        actions={<Controls run={r} commands={commands} />}
      />
      <Stack gap="md">
        <Facts run={r} />
        {cancel.error !== null && <ErrorAlert error={cancel.error} title="Not cancelled" />}
        {redrive.error !== null && <ErrorAlert error={redrive.error} title="Not redriven" />}
        {r.error !== undefined && (
          <ErrorAlert
            error={new Error(`${r.error.code}: ${r.error.message}`)}
            title="The run stopped"
          />
        )}
        <Paper withBorder p="md" radius="sm" component="section" aria-label="Input">
          <Title order={2} fz="md" mb="sm">
            Input
          </Title>
          <JsonTree value={r.input} filename={`run-${r.id}-input.json`} what="input" />
        </Paper>
        {results !== undefined ? (
          <Stack gap="sm" component="section" aria-label="Targets">
            <Title order={2} fz="md">
              Targets
            </Title>
            <RunResults
              rows={results}
              actionId={r.actionId}
              running={live}
              durationMs={r.durationMs}
              runId={r.id}
              selected={selected}
              onSelect={(idx) =>
                setParams(idx === null ? {} : { target: String(idx) }, { preventScrollReset: true })
              }
            />
          </Stack>
        ) : (
          <Stack gap="sm" component="section" aria-label="Steps">
            <Title order={2} fz="md">
              Steps
            </Title>
            {r.steps.map((step) => (
              <StepCard
                key={step.id}
                runId={r.id}
                step={step}
                runLive={live}
                liveFailures={r.kind === "action" ? failuresOf(r) : undefined}
              />
            ))}
          </Stack>
        )}
      </Stack>
    </>
  );
}
