import { Badge, Group, Stack, Text, Tooltip } from "@mantine/core";
import type { Schedule } from "../../api/workflows";
import { When } from "../../components/time";

/** The soonest next firing of a workflow's schedules, and slots missed while nothing ran. */
export function NextRun(props: { schedules: Schedule[] }) {
  if (props.schedules.length === 0)
    return (
      <Text size="sm" c="dimmed">
        no schedule
      </Text>
    );
  const next = props.schedules
    .map((s) => s.nextAt)
    .filter((at): at is string => at !== null)
    .sort()[0];
  const missed = props.schedules.reduce((n, s) => n + s.missedSlots, 0);
  return (
    <Stack gap={2}>
      <Text size="sm">
        <When iso={next ?? null} never="—" />
      </Text>
      {missed > 0 && (
        <Tooltip label="Slots that passed while no worker was running; they are not replayed">
          <Badge size="xs" color="yellow" variant="light" tt="none">
            {missed} missed {missed === 1 ? "slot" : "slots"}
          </Badge>
        </Tooltip>
      )}
    </Stack>
  );
}

export function ScheduleLine(props: { schedule: Schedule }) {
  const s = props.schedule;
  return (
    <Group gap="xs">
      <Text size="sm" ff="monospace">
        {s.cron}
      </Text>
      <Text size="xs" c="dimmed">
        {s.timezone}
      </Text>
    </Group>
  );
}
