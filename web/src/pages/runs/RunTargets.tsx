import { Text } from "@mantine/core";
import type { RunItem } from "../../api/runs";

/** Where a run went: its connections (first few) and how many targets. */
export function RunTargets(props: { run: Pick<RunItem, "connections" | "targetCount"> }) {
  const { connections, targetCount } = props.run;
  const shown = connections.slice(0, 3);
  return (
    <Text size="sm">
      {shown.join(", ")}
      {connections.length > shown.length ? ` +${connections.length - shown.length}` : ""}
      <Text span size="xs" c="dimmed">
        {shown.length > 0 ? " · " : ""}
        {targetCount} {targetCount === 1 ? "target" : "targets"}
      </Text>
    </Text>
  );
}

/** What a run ran: the action's id, or the workflow and its version. */
export function runWhat(run: Pick<RunItem, "actionId" | "workflow">): string {
  if (run.workflow !== null) return `${run.workflow.name} v${run.workflow.version}`;
  return run.actionId ?? "—";
}
