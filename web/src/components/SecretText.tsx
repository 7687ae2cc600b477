import { Button, CopyButton, Group, TextInput } from "@mantine/core";
import { IconCheck, IconCopy } from "@tabler/icons-react";

/** A value shown once (a token, a setup link): read-only, selectable, with a copy button. */
export function SecretText(props: { label: string; value: string; copyLabel: string }) {
  return (
    <Group gap="xs" wrap="nowrap" align="flex-end">
      <TextInput
        label={props.label}
        value={props.value}
        readOnly
        styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }}
        style={{ flex: 1 }}
        onFocus={(e) => e.currentTarget.select()}
        spellCheck={false}
      />
      <CopyButton value={props.value}>
        {({ copied, copy }) => (
          <Button
            variant="default"
            onClick={copy}
            leftSection={copied ? <IconCheck size={14} /> : <IconCopy size={14} />}
          >
            {copied ? "Copied" : props.copyLabel}
          </Button>
        )}
      </CopyButton>
    </Group>
  );
}
