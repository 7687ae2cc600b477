import { Alert, Button, Grid, Group, List, Loader, Paper, Stack, Text, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { IconAlertCircle, IconCircleCheck, IconDeviceFloppy } from "@tabler/icons-react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import {
  useSaveWorkflow,
  validateWorkflow,
  workflowQuery,
  type DefinitionError,
  type WorkflowDetail,
  type WorkflowSaved,
} from "../../api/workflows";
import { ErrorAlert, Loading, PageHeader } from "../../components/page";
import { outlineSteps, parseSource, type StepOutline } from "./step-outline";
import { StepGraph } from "./StepGraph";
import { VersionsPanel } from "./VersionsPanel";
import { WebhookSecretModal } from "./WebhookSecretModal";
import { YamlEditor } from "./YamlEditor";

const VALIDATE_DELAY_MS = 300;

const STARTER = `name: my-workflow
description: What this workflow does
inputs:
  regions: { type: array, default: [us-east-1] }
steps:
  - id: instances
    action: aws.ec2.describeInstances
    connections: "*"
    regions: \${{ inputs.regions }}
`;

/**
 * The server's checks of the text, asked ~300 ms after the last keystroke. `errors` are for the
 * current text only (markers need exact positions); `shown` keeps the last answer while typing.
 */
function useValidation(source: string) {
  const [debounced] = useDebouncedValue(source, VALIDATE_DELAY_MS);
  const check = useQuery({
    queryKey: ["workflow-validation", debounced] as const,
    queryFn: ({ signal }) => validateWorkflow(debounced, signal),
    enabled: debounced.trim() !== "",
    staleTime: Infinity,
    gcTime: 60_000,
    retry: false,
    placeholderData: keepPreviousData,
  });
  const current =
    debounced === source && !check.isPlaceholderData && !check.isFetching ? check.data : undefined;
  return {
    current,
    shown: source.trim() === "" ? undefined : check.data,
    checking: source.trim() !== "" && current === undefined && check.error === null,
    error: check.error,
  };
}

function Problems(props: { errors: DefinitionError[] }) {
  return (
    <List
      size="sm"
      spacing={2}
      aria-label="Problems"
      icon={<IconAlertCircle size={16} color="var(--mantine-color-red-text)" />}
    >
      {props.errors.map((e, i) => (
        <List.Item key={`${i}-${e.line}-${e.column}-${e.path}`}>
          line {e.line}, column {e.column}: {e.path === "" ? "" : `${e.path}: `}
          {e.message}
        </List.Item>
      ))}
    </List>
  );
}

function ValidationStatus(props: ReturnType<typeof useValidation> & { empty: boolean }) {
  if (props.empty) {
    return (
      <Text size="sm" c="dimmed">
        Write the workflow in YAML (or JSON).
      </Text>
    );
  }
  if (props.error !== null) return <ErrorAlert error={props.error} title="Could not check it" />;
  const errors = props.shown?.errors ?? [];
  return (
    <Stack gap={4} aria-live="polite">
      <Group gap={6}>
        {props.checking ? (
          <Loader size={14} aria-hidden />
        ) : props.current?.valid === true ? (
          <IconCircleCheck size={16} color="var(--mantine-color-green-text)" aria-hidden />
        ) : (
          <IconAlertCircle size={16} color="var(--mantine-color-red-text)" aria-hidden />
        )}
        <Text size="sm" role="status">
          {props.checking
            ? "Checking…"
            : props.current?.valid === true
              ? "The definition is valid."
              : `${errors.length} ${errors.length === 1 ? "problem" : "problems"} to fix before saving.`}
        </Text>
      </Group>
      {errors.length > 0 && <Problems errors={errors} />}
    </Stack>
  );
}

function EditorForm(props: { workflow: WorkflowDetail | null }) {
  const navigate = useNavigate();
  const [source, setSource] = useState(props.workflow?.source ?? STARTER);
  const validation = useValidation(source);
  const save = useSaveWorkflow();
  const [created, setCreated] = useState<WorkflowSaved | null>(null);

  // The graph follows the text, keeping its last picture while a line is half-typed.
  const [steps, setSteps] = useState<StepOutline[]>(() => outlineSteps(parseSource(source)));
  const parsed = useMemo(() => parseSource(source), [source]);
  const outline = useMemo(() => (parsed === undefined ? null : outlineSteps(parsed)), [parsed]);
  if (outline !== null && JSON.stringify(outline) !== JSON.stringify(steps)) setSteps(outline);

  const valid = validation.current?.valid === true;
  const onSave = () =>
    save.mutate(source, {
      onSuccess: (saved) => {
        notifications.show({
          color: "teal",
          message: `${saved.name} saved as version ${saved.version}`,
        });
        if (saved.webhookSecret !== undefined) setCreated(saved);
        else void navigate(`/workflows/${saved.name}`);
      },
    });

  const name = props.workflow?.name;
  return (
    <>
      <PageHeader
        title={name === undefined ? "New workflow" : `Edit ${name}`}
        description={
          name === undefined
            ? "Every save is a new version; the name in the definition is the workflow's."
            : `Version ${props.workflow?.version ?? ""}; saving makes a new version.`
        }
        actions={
          <>
            <Button
              variant="default"
              component={Link}
              to={name === undefined ? "/workflows" : `/workflows/${name}`}
            >
              Cancel
            </Button>
            <Button
              leftSection={<IconDeviceFloppy size={16} />}
              disabled={!valid}
              loading={save.isPending}
              onClick={onSave}
            >
              Save
            </Button>
          </>
        }
      />
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Stack gap="sm">
            <YamlEditor
              label="Workflow definition"
              value={source}
              onChange={setSource}
              {...(validation.current === undefined ? {} : { errors: validation.current.errors })}
              minHeight="420px"
            />
            <ValidationStatus {...validation} empty={source.trim() === ""} />
            {save.error !== null && <ErrorAlert error={save.error} title="Not saved" />}
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Stack gap="md">
            <Paper withBorder p="sm" radius="sm" component="section" aria-labelledby="graph-title">
              <Title order={3} fz="sm" mb="xs" id="graph-title">
                Steps
              </Title>
              <StepGraph steps={steps} />
            </Paper>
            {props.workflow !== null && (
              <Paper
                withBorder
                p="sm"
                radius="sm"
                component="section"
                aria-labelledby="versions-title"
              >
                <Title order={3} fz="sm" mb="xs" id="versions-title">
                  Versions
                </Title>
                <VersionsPanel workflow={props.workflow} />
              </Paper>
            )}
            <Alert variant="light" color="blue" title="Expressions">
              <Text size="xs">
                {"${{ inputs.x }}"}, {"${{ steps.<id>.output }}"} and {"${{ steps.<id>.targets }}"}{" "}
                are JSONata; forEach runs a step per item.
              </Text>
            </Alert>
          </Stack>
        </Grid.Col>
      </Grid>
      {created !== null && created.webhookSecret !== undefined && (
        <WebhookSecretModal
          workflow={created.name}
          secret={created.webhookSecret}
          url={created.webhookUrl}
          onDone={() => void navigate(`/workflows/${created.name}`)}
        />
      )}
    </>
  );
}

/** /workflows/new */
export function NewWorkflowPage() {
  return <EditorForm workflow={null} />;
}

/** /workflows/:name/edit — a restore (or someone else's save) reloads the editor with the newest. */
export function EditWorkflowPage() {
  const { name = "" } = useParams();
  const workflow = useQuery(workflowQuery(name));
  if (workflow.error !== null)
    return (
      <>
        <PageHeader title={`Edit ${name}`} />
        <ErrorAlert error={workflow.error} onRetry={() => void workflow.refetch()} />
      </>
    );
  if (workflow.data === undefined) return <Loading />;
  return <EditorForm key={workflow.data.version} workflow={workflow.data} />;
}
