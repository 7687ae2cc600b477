import { Alert, Button, Group, Paper, Stack, Text, Title } from "@mantine/core";
import { IconAlertTriangle, IconScissors } from "@tabler/icons-react";
import type { RunTarget } from "../../api/runs";
import { JsonTree } from "../../components/JsonTree";
import { formatDuration, When } from "../../components/time";
import { StatusBadge } from "../actions/format";

/** One target: its output (redacted by the server) or error, its attempts, where to find it in CloudTrail. */
export function TargetDetail(props: { target: RunTarget; step: string; onClose: () => void }) {
  const t = props.target;
  const name = `${t.connection} · ${t.region}`;
  return (
    <Paper withBorder p="md" radius="sm" component="section" aria-label={`Output of ${name}`}>
      <Group justify="space-between" mb="sm" wrap="nowrap" align="flex-start">
        <Group gap="xs">
          <Title order={4} fz="md">
            {name}
          </Title>
          <StatusBadge status={t.status} target />
          {t.accountId !== null && (
            <Text size="xs" c="dimmed">
              account {t.accountId}
            </Text>
          )}
          <Text size="xs" c="dimmed">
            {formatDuration(t.durationMs)}
            {t.attempt > 1 ? ` · attempt ${t.attempt}` : ""}
          </Text>
          {t.requestId !== undefined && (
            <Text size="xs" c="dimmed">
              request {t.requestId}
            </Text>
          )}
          {t.awsSession !== undefined && (
            <Text size="xs" c="dimmed">
              CloudTrail session {t.awsSession}
            </Text>
          )}
        </Group>
        <Button size="xs" variant="subtle" onClick={props.onClose}>
          Close
        </Button>
      </Group>
      <Stack gap="sm">
        {t.outputTruncated === true && (
          <Alert
            color="yellow"
            variant="light"
            icon={<IconScissors size={18} />}
            title="Output capped"
          >
            This output reached the server&apos;s cap, so it was cut; the note in it says where.
          </Alert>
        )}
        {t.error !== undefined && (
          <Alert
            color={t.status === "refused" ? "orange" : t.status === "skipped" ? "gray" : "red"}
            variant="light"
            icon={<IconAlertTriangle size={18} />}
            title={t.error.code}
          >
            <Text size="sm">{t.error.message}</Text>
            {t.error.fix !== undefined && (
              <Text size="sm" mt={4}>
                Fix: {t.error.fix}
              </Text>
            )}
          </Alert>
        )}
        {t.attempts !== undefined && t.attempts.length > 0 && (
          <Stack gap={2} aria-label="Earlier attempts">
            <Text size="sm" fw={600}>
              Earlier attempts
            </Text>
            {t.attempts.map((a) => (
              <Text key={a.attempt} size="xs">
                attempt {a.attempt}: {a.status}, {formatDuration(a.durationMs)},{" "}
                <When iso={a.finishedAt} />
                {a.error !== undefined ? ` — ${a.error.code}: ${a.error.message}` : ""}
              </Text>
            ))}
          </Stack>
        )}
        {t.output !== undefined ? (
          <JsonTree
            value={t.output}
            filename={`${props.step}-${t.connection}-${t.region}.json`}
            what={`output of ${t.connection} ${t.region}`}
          />
        ) : (
          t.error === undefined && (
            <Text size="sm" c="dimmed">
              This target has no output
              {t.status === "pending" || t.status === "started" ? " yet" : ""}.
            </Text>
          )
        )}
      </Stack>
    </Paper>
  );
}
