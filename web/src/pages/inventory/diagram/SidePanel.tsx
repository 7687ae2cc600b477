import {
  ActionIcon,
  Alert,
  Anchor,
  Badge,
  Button,
  Code,
  CopyButton,
  CloseButton,
  Group,
  Loader,
  Paper,
  Stack,
  Table,
  Text,
  Title,
  Tooltip,
} from "@mantine/core";
import { IconCheck, IconCopy, IconExternalLink, IconPlayerPlay } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import {
  usePlanRun,
  useRunAction,
  type RunPlan,
  type RunRequest,
  type TargetResult,
} from "../../../api/actions";
import { ApiError } from "../../../api/client";
import { streamAttributes, type AttributesLine } from "../../../api/inventory";
import { ErrorAlert } from "../../../components/page";
import { ConfirmWrite } from "../../actions/ConfirmWrite";
import { StatusBadge } from "../../actions/format";
import { OutputView } from "../../actions/RunResults";
import {
  actionsFor,
  arnParts,
  consoleUrl,
  resourceIdOf,
  type PanelResource,
  type ResourceAction,
} from "./resource-links";
import type { DiagramResource } from "./graph";
import { liveStatusOf } from "./live-status";

const REFRESH_MS = 10_000;

const STATUS_COLOR: Record<string, string> = {
  running: "green",
  available: "green",
  active: "green",
  stopped: "gray",
  impaired: "red",
  alarm: "red",
  unknown: "gray",
};

/** A live status as a badge: green when it serves, grey when stopped, red when it needs someone. */
export function LiveStatusBadge(props: { status: string }) {
  return (
    <Badge
      variant={props.status === "unknown" ? "outline" : "light"}
      color={STATUS_COLOR[props.status] ?? "blue"}
      aria-label={`Status ${props.status}`}
    >
      {props.status}
    </Badge>
  );
}

const attributesKey = (arn: string) => ["inventory", "attributes", arn] as const;

/** The attributes of one ARN now, asked again every 10 s while the panel shows it. */
function useAttributes(arn: string) {
  const query = useQuery({
    queryKey: attributesKey(arn),
    queryFn: async ({ signal }) => {
      let found: AttributesLine | undefined;
      await streamAttributes(
        [arn],
        (line) => {
          if (line.arn === arn) found = line;
        },
        signal,
      );
      if (found === undefined) throw new Error("the server sent no attributes for this resource");
      return found;
    },
    refetchInterval: REFRESH_MS,
    retry: false,
  });
  // As the diagram's statuses do: coming back to the window asks again at once.
  const { refetch } = query;
  useEffect(() => {
    const onFocus = () => void refetch();
    window.addEventListener("focus", onFocus);
    return () => window.removeEventListener("focus", onFocus);
  }, [refetch]);
  return query;
}

function KeyValues(props: {
  label: string;
  values: Record<string, string | number | boolean | null>;
}) {
  const entries = Object.entries(props.values);
  if (entries.length === 0) return null;
  return (
    <Table aria-label={props.label} verticalSpacing={2} fz="sm" withRowBorders={false}>
      <Table.Tbody>
        {entries.map(([key, value]) => (
          <Table.Tr key={key}>
            <Table.Td c="dimmed" style={{ whiteSpace: "nowrap", verticalAlign: "top" }}>
              {key}
            </Table.Td>
            <Table.Td style={{ overflowWrap: "anywhere" }}>
              {value === null ? "—" : String(value)}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function LiveAttributes(props: { attributes: ReturnType<typeof useAttributes> }) {
  const { attributes } = props;
  if (attributes.error !== null)
    return <ErrorAlert error={attributes.error} onRetry={() => void attributes.refetch()} />;
  const line = attributes.data;
  if (line === undefined)
    return (
      <Group gap="xs">
        <Loader size="xs" />
        <Text size="sm" c="dimmed">
          Asking AWS…
        </Text>
      </Group>
    );
  const status = liveStatusOf(line);
  if ("error" in line)
    return (
      <Stack gap="xs">
        <LiveStatusBadge status={status.status} />
        <Alert color="gray" variant="light" title={line.error.code} role="status">
          {line.error.message}
        </Alert>
      </Stack>
    );
  const { details, tags, alarms } = line.attributes;
  return (
    <Stack gap="xs">
      <Group gap="xs">
        <LiveStatusBadge status={status.status} />
        {status.status === "alarm" && line.attributes.state !== undefined && (
          <Text size="sm" c="dimmed">
            {line.attributes.state}
          </Text>
        )}
      </Group>
      {alarms !== undefined && alarms.length > 0 && (
        <Stack gap={2} aria-label="Alarms">
          <Text size="sm" fw={600}>
            In alarm
          </Text>
          {alarms.map((a) => (
            <Code key={a}>{a}</Code>
          ))}
        </Stack>
      )}
      <KeyValues label="Details" values={details} />
      {tags !== undefined && Object.keys(tags).length > 0 && (
        <>
          <Text size="sm" fw={600}>
            Tags
          </Text>
          <KeyValues label="Tags" values={tags} />
        </>
      )}
    </Stack>
  );
}

// Catalog regions look like eu-west-1; a global resource (S3, CloudFront) runs in every region
// the action asks, and the server runs a global service once per account.
function regionsOf(resource: PanelResource): RunRequest["regions"] {
  return /^[a-z]{2}(-[a-z]+)+-\d+$/.test(resource.region) ? [resource.region] : "*";
}

function TargetOutcome(props: { result: TargetResult; label: string }) {
  const { result } = props;
  return (
    <Stack gap="xs" aria-label="Action result" component="section">
      <Group gap="xs">
        <Text size="sm" fw={600}>
          {props.label}
        </Text>
        <StatusBadge status={result.status} target />
      </Group>
      {result.error !== null && result.error !== undefined && (
        <Alert
          color={result.status === "refused" ? "gray" : "red"}
          variant="light"
          title={result.status === "refused" ? "Refused" : result.error.code}
          role="alert"
        >
          <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
            {result.error.message}
          </Text>
        </Alert>
      )}
      {result.status === "succeeded" && (
        <OutputView output={result.output} name={props.label} filename={`${props.label}.json`} />
      )}
    </Stack>
  );
}

/** The actions that apply to the resource; one runs through the plan, and a confirmation for a write. */
function ResourceActions(props: { resource: PanelResource }) {
  const { resource } = props;
  const actions = actionsFor(resource);
  const queryClient = useQueryClient();
  const planner = usePlanRun();
  const runner = useRunAction();
  const [chosen, setChosen] = useState<ResourceAction | null>(null);
  const [results, setResults] = useState<TargetResult[]>([]);
  const [confirming, setConfirming] = useState<{ plan: RunPlan; body: RunRequest } | null>(null);
  const abort = useRef<AbortController | null>(null);
  useEffect(() => () => abort.current?.abort(), []);

  if (actions.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No catalog action takes this resource yet.
      </Text>
    );

  const execute = (action: ResourceAction, body: RunRequest) => {
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    setResults([]);
    runner.mutate(
      {
        actionId: action.actionId,
        body,
        signal: controller.signal,
        onResult: (result) => setResults((r) => [...r, result]),
      },
      // A stop or a start shows in the panel at once, not at the next refresh.
      {
        onSettled: () => {
          void queryClient.invalidateQueries({ queryKey: attributesKey(resource.arn) });
        },
      },
    );
  };
  const start = (action: ResourceAction) => {
    const body: RunRequest = {
      connections: [resource.connection],
      regions: regionsOf(resource),
      input: action.input,
    };
    setChosen(action);
    setResults([]);
    runner.reset();
    planner.mutate(
      { actionId: action.actionId, body },
      {
        onSuccess: (plan) => {
          if (plan.write) setConfirming({ plan, body });
          else execute(action, body);
        },
      },
    );
  };
  const busy = planner.isPending || runner.isPending;
  const error = planner.error ?? runner.error;

  return (
    <Stack gap="xs">
      <Group gap="xs">
        {actions.map((action) => (
          <Button
            key={action.label}
            size="xs"
            variant="default"
            leftSection={<IconPlayerPlay size={14} />}
            loading={busy && chosen?.label === action.label}
            disabled={busy}
            onClick={() => start(action)}
          >
            {action.label}
          </Button>
        ))}
      </Group>
      <Text size="xs" c="dimmed">
        With connection <Code>{resource.connection}</Code> in {resource.region}; your grants apply,
        and a change asks you to confirm it first.
      </Text>
      {error !== null && (
        <ErrorAlert
          error={error}
          title={error instanceof ApiError && error.status === 403 ? "Refused" : undefined}
        />
      )}
      {chosen !== null &&
        results.map((result) => (
          <TargetOutcome
            key={`${result.connection} ${result.region}`}
            result={result}
            label={chosen.label}
          />
        ))}
      <ConfirmWrite
        plan={confirming?.plan ?? null}
        onCancel={() => setConfirming(null)}
        onConfirm={() => {
          const body = confirming?.body;
          setConfirming(null);
          if (body !== undefined && chosen !== null) execute(chosen, body);
        }}
      />
    </Stack>
  );
}

/**
 * The side panel of a diagram component: its live attributes, its ARN (copyable), its page in
 * the AWS console, and the actions that apply to it, run with its account's connection. It fills
 * the aside the diagram gives it, so the canvas stays usable beside it.
 */
export function SidePanel(props: {
  arn: string | null;
  resource?: DiagramResource;
  onClose: () => void;
}) {
  if (props.arn === null) return null;
  return (
    <ResourcePanel
      key={props.arn}
      arn={props.arn}
      {...(props.resource === undefined ? {} : { resource: props.resource })}
      onClose={props.onClose}
    />
  );
}

function ResourcePanel(props: { arn: string; resource?: PanelResource; onClose: () => void }) {
  const { arn, resource } = props;
  const attributes = useAttributes(arn);
  const type = resource?.type ?? arnParts(arn).service;
  const id = resourceIdOf(arn, type);
  const line = attributes.data;
  const name = line !== undefined && "attributes" in line ? line.attributes.name : undefined;
  const link = resource === undefined ? undefined : consoleUrl(resource);
  return (
    <Paper component="aside" withBorder p="md" radius="sm" aria-label="Resource">
      <Stack gap="md">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Stack gap={0} miw={0}>
            <Title order={3} fz="h4" style={{ overflowWrap: "anywhere" }}>
              {name ?? id}
            </Title>
            {name !== undefined && name !== id && (
              <Text size="sm" c="dimmed">
                {id}
              </Text>
            )}
          </Stack>
          <CloseButton aria-label="Close the panel" onClick={props.onClose} />
        </Group>
        <Stack gap={4}>
          <Group gap={4} wrap="nowrap" align="flex-start">
            <Code style={{ overflowWrap: "anywhere" }} aria-label="ARN">
              {arn}
            </Code>
            <CopyButton value={arn}>
              {({ copied, copy }) => (
                <Tooltip label={copied ? "Copied" : "Copy ARN"}>
                  <ActionIcon variant="subtle" aria-label="Copy ARN" onClick={copy}>
                    {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
                  </ActionIcon>
                </Tooltip>
              )}
            </CopyButton>
          </Group>
          {resource !== undefined && (
            <Text size="xs" c="dimmed">
              {type} · account {resource.accountId} · {resource.region} · connection{" "}
              {resource.connection}
            </Text>
          )}
          {link !== undefined && (
            <Anchor href={link} target="_blank" rel="noreferrer noopener" size="sm">
              <Group gap={4} component="span">
                Open in the AWS console <IconExternalLink size={14} />
              </Group>
            </Anchor>
          )}
        </Stack>
        <Stack gap="xs" component="section" aria-label="Live attributes">
          <Title order={4} fz="sm">
            Now
          </Title>
          <LiveAttributes attributes={attributes} />
        </Stack>
        <Stack gap="xs" component="section" aria-label="Actions">
          <Title order={4} fz="sm">
            Actions
          </Title>
          {resource === undefined ? (
            <Text size="sm" c="dimmed">
              Open the resource from the diagram to run an action on it with its connection.
            </Text>
          ) : (
            <ResourceActions resource={resource} />
          )}
        </Stack>
      </Stack>
    </Paper>
  );
}
