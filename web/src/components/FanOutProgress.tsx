import { Group, Progress, Stack, Text } from "@mantine/core";

/**
 * How far a fan-out is: targets done of the total and how many failed (or were refused), with a
 * bar. Without a total yet, the count alone.
 */
export function FanOutProgress(props: {
  done: number;
  total: number | null;
  failed: number;
  refused?: number;
  /** Names the bar for screen readers ("Progress of describe"). */
  label: string;
}) {
  const { done, total, failed } = props;
  const refused = props.refused ?? 0;
  const bad = failed + refused;
  return (
    <Stack gap={4} role="group" aria-label={props.label}>
      <Group gap="xs">
        <Text size="sm" aria-live="polite">
          {total === null ? `${done} done` : `${done} / ${total} done`}
          {failed > 0 ? ` · ${failed} failed` : ""}
          {refused > 0 ? ` · ${refused} refused` : ""}
        </Text>
      </Group>
      {total !== null && (
        // The text above says it in words; the bar's sections are for the eye.
        <Progress.Root size="sm" aria-hidden>
          <Progress.Section value={total === 0 ? 0 : ((done - bad) / total) * 100} color="teal" />
          <Progress.Section value={total === 0 ? 0 : (bad / total) * 100} color="red" />
        </Progress.Root>
      )}
    </Stack>
  );
}
