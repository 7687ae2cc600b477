import { Alert, Badge, Code, Group, Stack, Text } from "@mantine/core";
import { IconAlertTriangle, IconCircleCheck } from "@tabler/icons-react";
import type { ReactNode } from "react";
import type { ConnectionTest } from "./queries";
import { When } from "../../components/time";

// Light alerts colour their title like the icon; teal and yellow titles miss WCAG AA contrast.
export const READABLE_TITLE = { title: { color: "var(--mantine-color-text)" } };

/** A test's outcome in a table cell: OK or Failed, and when. */
export function TestBadge(props: { test: ConnectionTest | null }) {
  const t = props.test;
  if (t === null)
    return (
      <Text span size="sm" c="dimmed">
        not tested
      </Text>
    );
  return (
    <Group gap={6} wrap="nowrap">
      <Badge size="sm" variant="dot" color={t.ok ? "teal" : "red"} tt="none">
        {t.ok ? "OK" : (t.error?.code ?? "Failed")}
      </Badge>
      <When iso={t.checkedAt} />
    </Group>
  );
}

/**
 * A test's outcome in full: who Switchboard was in which account, or the AWS error with what
 * it means and the fix to try first.
 */
export function TestResultView(props: { test: ConnectionTest; title?: string; extra?: ReactNode }) {
  const t = props.test;
  if (t.ok) {
    return (
      <Alert
        color="teal"
        variant="light"
        icon={<IconCircleCheck size={18} />}
        title={props.title ?? "Connection works"}
        role="status"
        styles={READABLE_TITLE}
      >
        <Stack gap={4}>
          <Text size="sm">
            Account <Code>{t.accountId ?? "unknown"}</Code> as <Code>{t.arn ?? "unknown"}</Code>
          </Text>
          <Text size="sm">
            {t.regions.length} region{t.regions.length === 1 ? "" : "s"} enabled
            {t.regions.length > 0 ? `: ${t.regions.join(", ")}` : ""}
          </Text>
          <Text size="xs" c="dimmed">
            Checked <When iso={t.checkedAt} />
          </Text>
          {props.extra}
        </Stack>
      </Alert>
    );
  }
  const e = t.error;
  return (
    <Alert
      color="red"
      variant="light"
      icon={<IconAlertTriangle size={18} />}
      title={props.title ?? `Test failed${e === null ? "" : `: ${e.code}`}`}
      role="alert"
    >
      <Stack gap={6}>
        {e !== null && (
          <>
            <Text size="sm" fw={600}>
              How to fix it
            </Text>
            <Text size="sm">{e.fix}</Text>
            <Text size="sm" fw={600}>
              What AWS said
            </Text>
            <Text size="sm" ff="monospace" style={{ overflowWrap: "anywhere" }}>
              {e.code}: {e.message}
            </Text>
          </>
        )}
        <Text size="xs" c="dimmed">
          Checked <When iso={t.checkedAt} />
        </Text>
        {props.extra}
      </Stack>
    </Alert>
  );
}
