import { Anchor, Button, Code, Grid, Group, Modal, Paper, Stack, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconEdit, IconPlayerPlay, IconRefresh, IconTrash } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import type { DataTableColumn } from "mantine-datatable";
import { useMemo, useState, type ReactNode } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { isRunFinished, runsPage, type RunItem } from "../../api/runs";
import {
  useDeleteWorkflow,
  useRotateWebhook,
  workflowQuery,
  type WorkflowDetail,
} from "../../api/workflows";
import { ListTable } from "../../components/ListTable";
import { Empty, ErrorAlert, Loading, PageHeader } from "../../components/page";
import { formatDuration, When } from "../../components/time";
import { actorName, StatusBadge } from "../actions/format";
import { ScheduleLine } from "./format";
import { RunDialog } from "./RunDialog";
import { outlineSteps } from "./step-outline";
import { StepGraph } from "./StepGraph";
import { VersionsPanel } from "./VersionsPanel";
import { WebhookSecretModal, WebhookSigning } from "./WebhookSecretModal";
import { YamlEditor } from "./YamlEditor";

function Section(props: { title: string; children: ReactNode; id: string }) {
  return (
    <Paper withBorder p="sm" radius="sm" component="section" aria-labelledby={props.id}>
      <Title order={3} fz="sm" mb="xs" id={props.id}>
        {props.title}
      </Title>
      {props.children}
    </Paper>
  );
}

function RunHistory(props: { workflow: string }) {
  const navigate = useNavigate();
  const runs = useQuery({
    queryKey: ["runs", "list", { workflow: props.workflow }],
    queryFn: () => runsPage({ workflow: props.workflow }, 50, null),
    refetchInterval: (q) =>
      q.state.data?.items.some((r) => !isRunFinished(r.status)) === true ? 3000 : false,
  });
  const columns: DataTableColumn<RunItem>[] = [
    {
      accessor: "startedAt",
      title: "When",
      sortable: true,
      render: (r) => (
        <Anchor component={Link} to={`/runs/${r.id}`} size="sm">
          <When iso={r.startedAt} />
        </Anchor>
      ),
    },
    { accessor: "actor", title: "Who", render: (r) => actorName(r.actor) },
    { accessor: "trigger", title: "Trigger", render: (r) => r.trigger ?? "manual" },
    {
      accessor: "workflow.version",
      title: "Version",
      textAlign: "right",
      render: (r) => (r.workflow === null ? "—" : `v${r.workflow.version}`),
    },
    { accessor: "status", title: "Status", render: (r) => <StatusBadge status={r.status} /> },
    {
      accessor: "durationMs",
      title: "Duration",
      textAlign: "right",
      render: (r) => formatDuration(r.durationMs),
    },
  ];
  if (runs.error !== null)
    return <ErrorAlert error={runs.error} onRetry={() => void runs.refetch()} />;
  return (
    <Stack gap="xs">
      <ListTable<RunItem>
        label="Run history"
        records={runs.data?.items}
        columns={columns}
        idAccessor="id"
        defaultSort={{ columnAccessor: "startedAt", direction: "desc" }}
        onRowClick={(r) => void navigate(`/runs/${r.id}`)}
        fetching={runs.isFetching && runs.data === undefined}
        empty={<Empty title="Not run yet" description="Runs of this workflow appear here." />}
      />
      {runs.data?.nextCursor !== null && runs.data !== undefined && (
        <Anchor component={Link} to={`/runs?workflow=${props.workflow}`} size="sm">
          All runs of {props.workflow}
        </Anchor>
      )}
    </Stack>
  );
}

function Triggers(props: { workflow: WorkflowDetail }) {
  const { workflow } = props;
  const rotate = useRotateWebhook(workflow.name);
  const [confirm, setConfirm] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  return (
    <Stack gap="xs">
      {workflow.schedules.length === 0 && !workflow.webhook && (
        <Text size="sm" c="dimmed">
          Run by hand only: add a schedule or a webhook under triggers.
        </Text>
      )}
      {workflow.schedules.map((s) => (
        <Stack key={`${s.cron}-${s.timezone}`} gap={2}>
          <ScheduleLine schedule={s} />
          <Text size="xs" c="dimmed">
            next <When iso={s.nextAt} never="—" /> · last fired <When iso={s.lastFiredAt} />
            {s.missedSlots > 0 ? ` · ${s.missedSlots} missed (not replayed)` : ""}
          </Text>
        </Stack>
      ))}
      {workflow.webhook && (
        <Stack gap={4}>
          <Text size="sm">Webhook</Text>
          {workflow.webhookUrl !== null && (
            <Code block style={{ overflowWrap: "anywhere", whiteSpace: "pre-wrap" }}>
              {workflow.webhookUrl}
            </Code>
          )}
          <details>
            <summary>
              <Text span size="sm">
                How to sign a call
              </Text>
            </summary>
            <WebhookSigning url={workflow.webhookUrl} />
          </details>
          <Group>
            <Button
              size="xs"
              variant="default"
              leftSection={<IconRefresh size={14} />}
              onClick={() => setConfirm(true)}
            >
              Rotate secret
            </Button>
          </Group>
        </Stack>
      )}
      {confirm && (
        <Modal opened onClose={() => setConfirm(false)} title="Rotate the webhook secret?">
          <Stack gap="sm">
            <Text size="sm">
              Calls signed with the current secret are refused from now on; the new one is shown
              once.
            </Text>
            {rotate.error !== null && <ErrorAlert error={rotate.error} />}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setConfirm(false)}>
                Cancel
              </Button>
              <Button
                color="red"
                loading={rotate.isPending}
                onClick={() =>
                  rotate.mutate(undefined, {
                    onSuccess: (r) => {
                      setConfirm(false);
                      setSecret(r.webhookSecret);
                    },
                  })
                }
              >
                Rotate
              </Button>
            </Group>
          </Stack>
        </Modal>
      )}
      {secret !== null && (
        <WebhookSecretModal
          workflow={workflow.name}
          secret={secret}
          url={workflow.webhookUrl}
          onDone={() => setSecret(null)}
        />
      )}
    </Stack>
  );
}

function DeleteDialog(props: { name: string; onClose: () => void }) {
  const navigate = useNavigate();
  const remove = useDeleteWorkflow(props.name);
  return (
    <Modal opened onClose={props.onClose} title={`Delete ${props.name}?`}>
      <Stack gap="sm">
        <Text size="sm">
          Its versions, schedules and webhook go; its runs stay in the run history.
        </Text>
        {remove.error !== null && <ErrorAlert error={remove.error} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose}>
            Cancel
          </Button>
          <Button
            color="red"
            loading={remove.isPending}
            onClick={() =>
              remove.mutate(undefined, {
                onSuccess: () => {
                  notifications.show({ color: "teal", message: `${props.name} deleted` });
                  void navigate("/workflows");
                },
              })
            }
          >
            Delete
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** /workflows/:name — its definition, steps, triggers, versions and runs; Run opens the dialog. */
export function WorkflowPage() {
  const { name = "" } = useParams();
  const workflow = useQuery(workflowQuery(name));
  const [dialog, setDialog] = useState<"run" | "delete" | null>(null);
  const steps = useMemo(() => outlineSteps(workflow.data?.definition), [workflow.data]);

  if (workflow.error !== null)
    return (
      <>
        <PageHeader title={name} />
        <ErrorAlert error={workflow.error} onRetry={() => void workflow.refetch()} />
      </>
    );
  if (workflow.data === undefined) return <Loading />;
  const w = workflow.data;
  return (
    <>
      <PageHeader
        title={w.name}
        description={
          <>
            {w.description ?? "No description."} ·{" "}
            {w.project === null ? "org" : `project ${w.project}`} · version {w.version},{" "}
            <When iso={w.updatedAt} /> by {actorName(w.updatedBy)}
            {w.runAs !== null ? ` · runs as ${w.runAs}` : ""}
          </>
        }
        actions={
          <>
            <Button
              variant="default"
              leftSection={<IconEdit size={16} />}
              component={Link}
              to={`/workflows/${w.name}/edit`}
            >
              Edit
            </Button>
            <Button
              variant="default"
              color="red"
              leftSection={<IconTrash size={16} />}
              onClick={() => setDialog("delete")}
              aria-label={`Delete ${w.name}`}
            >
              Delete
            </Button>
            <Button leftSection={<IconPlayerPlay size={16} />} onClick={() => setDialog("run")}>
              Run
            </Button>
          </>
        }
      />
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Stack gap="md">
            <Section title="Run history" id="history-title">
              <RunHistory workflow={w.name} />
            </Section>
            <Section title="Definition" id="definition-title">
              <YamlEditor
                label={`Definition of ${w.name}`}
                value={w.source}
                readOnly
                minHeight="120px"
              />
            </Section>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Stack gap="md">
            <Section title="Steps" id="steps-title">
              <StepGraph steps={steps} />
            </Section>
            <Section title="Triggers" id="triggers-title">
              <Triggers workflow={w} />
            </Section>
            <Section title="Versions" id="versions-title">
              <VersionsPanel workflow={w} />
            </Section>
          </Stack>
        </Grid.Col>
      </Grid>
      {dialog === "run" && <RunDialog workflow={w} onClose={() => setDialog(null)} />}
      {dialog === "delete" && <DeleteDialog name={w.name} onClose={() => setDialog(null)} />}
    </>
  );
}
