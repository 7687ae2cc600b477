import { Alert, Button, Code, CopyButton, Group, Modal, Stack, Text } from "@mantine/core";
import { IconAlertTriangle, IconCheck, IconCopy } from "@tabler/icons-react";

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
          it (HMAC-SHA256 of the timestamp and the body). Lost it? Rotate it on the workflow&apos;s
          page.
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
