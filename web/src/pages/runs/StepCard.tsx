import { Alert, Badge, Code, Group, Paper, Stack, Text, Title } from "@mantine/core";
import { IconAlertTriangle } from "@tabler/icons-react";
import { isStepSettled, type RunStep } from "../../api/runs";
import { FanOutProgress } from "../../components/FanOutProgress";
import { JsonTree } from "../../components/JsonTree";
import { formatDuration, When } from "../../components/time";
import { StatusBadge } from "../actions/format";
import { StepKindIcon } from "../workflows/StepGraph";
import { ApprovalBox } from "./ApprovalBox";
import { StepTargets } from "./StepTargets";

function Summary(props: { summary: NonNullable<RunStep["summary"]> }) {
  const s = props.summary;
  const parts: [string, number, string][] = [
    ["ok", s.succeeded, "green"],
    ["failed", s.failed, "red"],
    ["refused", s.refused, "orange"],
    ["skipped", s.skipped, "gray"],
    ["unknown", s.unknown, "grape"],
    ["cancelled", s.cancelled, "gray"],
  ];
  return (
    <Group gap={4}>
      {parts
        .filter(([, n]) => n > 0)
        .map(([label, n, color]) => (
          <Badge key={label} size="sm" variant="light" color={color}>
            {n} {label}
          </Badge>
        ))}
    </Group>
  );
}

/** One step of a run: status, timing, progress, its output or error, approval, and its targets. */
export function StepCard(props: {
  runId: string;
  step: RunStep;
  runLive: boolean;
  /** Failures so far while the step runs, when the page knows them (a step's summary comes at its end). */
  liveFailures?: { failed: number; refused: number } | undefined;
}) {
  const { step } = props;
  const live = props.runLive && !isStepSettled(step.status);
  const title = `${step.idx + 1}. ${step.name ?? step.id}`;
  return (
    <Paper withBorder p="md" radius="sm" component="section" aria-label={`Step ${step.id}`}>
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start" gap="xs">
          <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
            <StepKindIcon kind={step.kind} />
            <Stack gap={0} style={{ minWidth: 0 }}>
              <Title order={3} fz="md" style={{ overflowWrap: "anywhere" }}>
                {title}
              </Title>
              {step.action !== undefined && (
                <Code fz="xs" style={{ overflowWrap: "anywhere" }}>
                  {step.action}
                </Code>
              )}
            </Stack>
          </Group>
          <Group gap="xs">
            <StatusBadge status={step.status} />
            {step.attempt > 1 && (
              <Badge size="sm" variant="outline" tt="none">
                attempt {step.attempt}
              </Badge>
            )}
          </Group>
        </Group>
        <Text size="xs" c="dimmed">
          {step.startedAt === null ? (
            "not started"
          ) : (
            <>
              started <When iso={step.startedAt} exact />
              {step.durationMs !== null ? ` · took ${formatDuration(step.durationMs)}` : ""}
            </>
          )}
        </Text>
        {step.targetCount > 0 && (
          <Stack gap={4}>
            <Group gap="xs">
              <Text size="sm">
                {step.settledCount} of {step.targetCount}{" "}
                {step.targetCount === 1 ? "target" : "targets"} settled
              </Text>
              {step.summary !== null && <Summary summary={step.summary} />}
            </Group>
            {live && (
              <FanOutProgress
                label={`Progress of ${step.id}`}
                done={step.settledCount}
                total={step.targetCount}
                failed={step.summary?.failed ?? props.liveFailures?.failed ?? 0}
                refused={step.summary?.refused ?? props.liveFailures?.refused ?? 0}
              />
            )}
          </Stack>
        )}
        {step.approval !== undefined && (
          <ApprovalBox runId={props.runId} step={step} approval={step.approval} />
        )}
        {step.error !== undefined && (
          <Alert
            color="red"
            variant="light"
            icon={<IconAlertTriangle size={18} />}
            title={step.error.code}
          >
            <Text size="sm">{step.error.message}</Text>
            {step.error.fix !== undefined && (
              <Text size="sm" mt={4}>
                Fix: {step.error.fix}
              </Text>
            )}
          </Alert>
        )}
        {step.output !== undefined && (
          <JsonTree
            value={step.output}
            filename={`${props.runId}-${step.id}-output.json`}
            what={`output of ${step.id}`}
            initialDepth={1}
          />
        )}
        {step.kind === "action" && step.targetCount > 0 && (
          <StepTargets runId={props.runId} step={step} live={live} />
        )}
      </Stack>
    </Paper>
  );
}
