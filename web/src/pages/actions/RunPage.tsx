import { Anchor, Button, Code, DataList, Paper, Stack, Title } from "@mantine/core";
import { IconPlayerPlay } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { Link, useParams, useSearchParams } from "react-router";
import { api, unwrap } from "../../api/client";
import { JsonTree } from "../../components/JsonTree";
import { ErrorAlert, Loading, PageHeader } from "../../components/page";
import type { RerunState } from "./ActionPage";
import { actorName, StatusBadge } from "./format";
import { RunResults } from "./RunResults";
import { RunTargets } from "./RunsPage";
import { formatDuration, When } from "../../components/time";

/** /runs/:id — who ran what, where, the outcome, and each target's output (?target=N). */
export function RunPage() {
  const { id = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const run = useQuery({
    queryKey: ["runs", id],
    queryFn: () => unwrap(api.GET("/api/v1/runs/{id}", { params: { path: { id } } })),
    refetchInterval: (q) => (q.state.data?.status === "running" ? 2000 : false),
  });
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
  const rows = r.results.map((result, idx) => ({ ...result, idx }));
  const rerun: RerunState = { input: r.input, connections: r.connections };

  return (
    <>
      <PageHeader
        title={`Run of ${r.actionId}`}
        description={
          <>
            Run <Code fz="xs">{r.id}</Code>
          </>
        }
        actions={
          <>
            <Button variant="default" component={Link} to="/runs">
              All runs
            </Button>
            <Button
              leftSection={<IconPlayerPlay size={16} />}
              component={Link}
              to={`/actions/${r.actionId}`}
              state={rerun}
            >
              Run again
            </Button>
          </>
        }
      />
      <Stack gap="md">
        <Paper withBorder p="md" radius="sm">
          <DataList orientation="horizontal">
            <DataList.Item>
              <DataList.ItemLabel>Status</DataList.ItemLabel>
              <DataList.ItemValue>
                <StatusBadge status={r.status} />
              </DataList.ItemValue>
            </DataList.Item>
            <DataList.Item>
              <DataList.ItemLabel>Action</DataList.ItemLabel>
              <DataList.ItemValue>
                <Anchor component={Link} to={`/actions/${r.actionId}`} size="sm">
                  {r.actionId}
                </Anchor>
              </DataList.ItemValue>
            </DataList.Item>
            <DataList.Item>
              <DataList.ItemLabel>Who</DataList.ItemLabel>
              <DataList.ItemValue>{actorName(r.actor)}</DataList.ItemValue>
            </DataList.Item>
            <DataList.Item>
              <DataList.ItemLabel>Started</DataList.ItemLabel>
              <DataList.ItemValue>
                <When iso={r.startedAt} /> ({new Date(r.startedAt).toLocaleString()})
              </DataList.ItemValue>
            </DataList.Item>
            <DataList.Item>
              <DataList.ItemLabel>Duration</DataList.ItemLabel>
              <DataList.ItemValue>{formatDuration(r.durationMs)}</DataList.ItemValue>
            </DataList.Item>
            <DataList.Item>
              <DataList.ItemLabel>Where</DataList.ItemLabel>
              <DataList.ItemValue>
                <RunTargets run={r} />
              </DataList.ItemValue>
            </DataList.Item>
          </DataList>
        </Paper>
        <Paper withBorder p="md" radius="sm" component="section" aria-label="Input">
          <Title order={2} fz="md" mb="sm">
            Input
          </Title>
          <JsonTree value={r.input} filename={`run-${r.id}-input.json`} what="input" />
        </Paper>
        <Stack gap="sm" component="section" aria-label="Targets">
          <Title order={2} fz="md">
            Targets
          </Title>
          <RunResults
            rows={rows}
            running={r.status === "running"}
            durationMs={r.durationMs}
            runId={r.id}
            selected={selected}
            onSelect={(idx) =>
              setParams(idx === null ? {} : { target: String(idx) }, { preventScrollReset: true })
            }
          />
        </Stack>
      </Stack>
    </>
  );
}
