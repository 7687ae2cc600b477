import { Alert, Anchor, Badge, Code, Group, Stack, Text } from "@mantine/core";
import { IconAlertTriangle, IconCircleCheck } from "@tabler/icons-react";
import type { ReactNode } from "react";
import { Link } from "react-router";
import type { ConnectionTest } from "../../api/connections";
import { READABLE_TITLE } from "../../components/readable-title";
import { When } from "../../components/time";
import { OutboundRefusal } from "./OutboundRefusal";

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
 * it means and the fix to try first, pointing at what is on the screen: `trustPolicy` is what
 * leads to the trust policy here (a button to the panel beside the form, a link on the page);
 * an allow-list refusal offers its fix (onAllowed: after an admin added the host).
 */
export function TestResultView(props: {
  test: ConnectionTest;
  title?: string;
  extra?: ReactNode;
  trustPolicy?: ReactNode;
  onAllowed?: () => void;
}) {
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
  if (e?.code === "OUTBOUND_REFUSED")
    return (
      <OutboundRefusal refusal={{ host: undefined, allow: e.allow }} onAllowed={props.onAllowed} />
    );
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
            {e.see === "trust-policy" && props.trustPolicy}
            {e.see === "key-store" && (
              <Anchor component={Link} to="/keystore" size="sm" underline="always">
                Open the key store
              </Anchor>
            )}
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
