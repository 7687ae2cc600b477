import { ActionIcon, Button, CopyButton, Group, Tooltip } from "@mantine/core";
import { IconCheck, IconCopy, IconDownload } from "@tabler/icons-react";

/** Saves text as a file in the browser's downloads. */
export function downloadText(filename: string, text: string, type = "application/json"): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.click();
  URL.revokeObjectURL(url);
}

/** Copy and download buttons for a document shown on the page (policy, template, output). */
export function CopyDownload(props: {
  text: string;
  filename: string;
  type?: string;
  /** What is copied, for the buttons' accessible names ("trust policy"). */
  what: string;
  compact?: boolean;
}) {
  if (props.compact === true) {
    return (
      <Group gap={4} wrap="nowrap">
        <CopyButton value={props.text}>
          {({ copied, copy }) => (
            <Tooltip label={copied ? "Copied" : `Copy ${props.what}`}>
              <ActionIcon variant="subtle" aria-label={`Copy ${props.what}`} onClick={copy}>
                {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
              </ActionIcon>
            </Tooltip>
          )}
        </CopyButton>
        <Tooltip label={`Download ${props.what}`}>
          <ActionIcon
            variant="subtle"
            aria-label={`Download ${props.what}`}
            onClick={() => downloadText(props.filename, props.text, props.type)}
          >
            <IconDownload size={16} />
          </ActionIcon>
        </Tooltip>
      </Group>
    );
  }
  return (
    <Group gap="xs">
      <CopyButton value={props.text}>
        {({ copied, copy }) => (
          <Button
            size="xs"
            variant="default"
            leftSection={copied ? <IconCheck size={14} /> : <IconCopy size={14} />}
            onClick={copy}
            aria-label={`Copy ${props.what}`}
          >
            {copied ? "Copied" : "Copy"}
          </Button>
        )}
      </CopyButton>
      <Button
        size="xs"
        variant="default"
        leftSection={<IconDownload size={14} />}
        onClick={() => downloadText(props.filename, props.text, props.type)}
        aria-label={`Download ${props.what}`}
      >
        Download
      </Button>
    </Group>
  );
}
