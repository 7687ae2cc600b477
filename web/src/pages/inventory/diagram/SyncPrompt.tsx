import { Anchor, Button, Code, Paper, Stack, Text, Title } from "@mantine/core";
import { IconRefresh } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { Link } from "react-router";
import { useStartSync, type GraphSelection } from "../../../api/inventory";
import { isRunFinished, runQuery } from "../../../api/runs";
import { ErrorAlert } from "../../../components/page";
import classes from "./Diagram.module.css";

/**
 * Over a diagram with nothing to draw: the inventory holds only what a sync listed, so a new
 * install (or a connection never synced) opens blank. Starts a sync of this very selection and,
 * once its run ends, draws again.
 */
export function SyncPrompt(props: { selection: GraphSelection }) {
  const queryClient = useQueryClient();
  const sync = useStartSync();
  const runId = sync.data?.id;
  const run = useQuery({ ...runQuery(runId ?? ""), enabled: runId !== undefined });
  const status = run.data?.status;
  const finished = status !== undefined && isRunFinished(status);
  useEffect(() => {
    if (finished) void queryClient.invalidateQueries({ queryKey: ["inventory", "graph"] });
  }, [finished, queryClient]);

  const start = () => {
    const { connections, regions } = props.selection;
    sync.mutate({ connections, ...(regions === undefined ? {} : { regions }) });
  };
  const runLink =
    runId === undefined ? null : (
      <Anchor component={Link} to={`/runs/${runId}`} size="sm">
        the sync&apos;s run
      </Anchor>
    );

  return (
    <div className={classes.empty}>
      <Paper withBorder p="md" maw={480} role="region" aria-label="Nothing synced yet">
        <Stack gap="xs" align="flex-start">
          <Title order={2} fz="md">
            Nothing synced for this selection yet
          </Title>
          <Text size="sm">
            The diagram draws what a sync found: a sync lists the resources of these connections in
            their regions (it needs the executor role on each) and stores only their ARNs and
            relations.
          </Text>
          {runId === undefined ? (
            <Button
              size="sm"
              leftSection={<IconRefresh size={16} />}
              onClick={start}
              loading={sync.isPending}
            >
              Sync now
            </Button>
          ) : !finished ? (
            <Text size="sm" role="status">
              Syncing… the diagram draws itself when it ends. Follow {runLink}.
            </Text>
          ) : status === "succeeded" ? (
            <Text size="sm" role="status">
              The sync ended and found nothing to draw in these connections and regions.
            </Text>
          ) : (
            <Text size="sm" role="status">
              The sync ended {status}: {runLink} says what AWS answered.
            </Text>
          )}
          {sync.error !== null && <ErrorAlert error={sync.error} title="The sync did not start" />}
          {run.error !== null && <ErrorAlert error={run.error} title="The sync's run" />}
          <Text size="xs" c="dimmed">
            From a terminal: <Code>switchboard inventory sync --all --follow</Code>
          </Text>
        </Stack>
      </Paper>
    </div>
  );
}
