import { Alert, Button, Code, CopyButton, Group, Modal, Stack, Text } from "@mantine/core";
import { IconAlertTriangle, IconCheck, IconCopy } from "@tabler/icons-react";

/**
 * How a caller signs a webhook request (the server refuses anything else, naming the headers
 * only after the fact): the two headers, and a shell example with this workflow's URL.
 */
export function WebhookSigning(props: { url: string | null }) {
  const example = [
    `TS=$(date +%s); BODY='{"inputs":{}}'`,
    `SIG=$(printf '%s.%s' "$TS" "$BODY" | openssl dgst -sha256 -hmac "$WEBHOOK_SECRET" | awk '{print $NF}')`,
    `curl -X POST '${props.url ?? "WEBHOOK_URL"}' -H "X-Switchboard-Timestamp: $TS" \\`,
    `  -H "X-Switchboard-Signature: sha256=$SIG" -H 'Content-Type: application/json' -d "$BODY"`,
  ].join("\n");
  return (
    <Stack gap={4}>
      <Text size="sm">
        Each POST carries <Code>X-Switchboard-Timestamp</Code> (unix seconds, within 5 minutes of
        the server&apos;s clock) and <Code>X-Switchboard-Signature</Code>: <Code>sha256=</Code> the
        hex HMAC-SHA256 of <Code>TIMESTAMP.BODY</Code> with the secret. The JSON body may carry{" "}
        <Code>{'{"inputs": {…}}'}</Code>; a replayed request starts nothing.
      </Text>
      <Code
        block
        aria-label="Example of a signed call"
        style={{ overflowWrap: "anywhere", whiteSpace: "pre-wrap" }}
      >
        {example}
      </Code>
    </Stack>
  );
}

/** A webhook's signing secret, shown once: the server keeps only what checks signatures. */
export function WebhookSecretModal(props: {
  workflow: string;
  secret: string;
  url: string | null;
  onDone: () => void;
}) {
  return (
    <Modal
      opened
      onClose={props.onDone}
      title={`Webhook secret of ${props.workflow}`}
      closeOnClickOutside={false}
      size="lg"
    >
      <Stack gap="sm">
        <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={18} />}>
          Copy it now: it will not be shown again. Whoever calls the webhook signs each request with
          it, as below. Lost it? Rotate it on the workflow&apos;s page.
        </Alert>
        {props.url !== null && (
          <Text size="sm">
            Webhook URL: <Code>{props.url}</Code>
          </Text>
        )}
        <Code
          block
          aria-label="Webhook secret"
          style={{ overflowWrap: "anywhere", whiteSpace: "pre-wrap" }}
        >
          {props.secret}
        </Code>
        <WebhookSigning url={props.url} />
        <Group justify="space-between">
          <CopyButton value={props.secret}>
            {({ copied, copy }) => (
              <Button
                variant="light"
                leftSection={copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
                onClick={copy}
              >
                {copied ? "Copied" : "Copy secret"}
              </Button>
            )}
          </CopyButton>
          <Button onClick={props.onDone}>I have copied it</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
