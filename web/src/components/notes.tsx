import { Alert, Text } from "@mantine/core";
import { IconAlertTriangle } from "@tabler/icons-react";
import type { ReactNode } from "react";

/** Shown to members on pages whose changes only admins may make. */
export function AdminOnlyNote(props: { what: string }) {
  return (
    <Text size="sm" c="dimmed" mb="sm">
      Only org admins can {props.what}; you see this page read-only.
    </Text>
  );
}

/**
 * A warning that must be read (a secret shown once). The title keeps the text colour: the
 * yellow variant's own title colour is below WCAG AA contrast on its background.
 */
export function ShownOnceAlert(props: { title: string; children: ReactNode }) {
  return (
    <Alert
      color="yellow"
      variant="light"
      icon={<IconAlertTriangle size={18} />}
      title={props.title}
      styles={{ title: { color: "var(--mantine-color-text)" } }}
    >
      {props.children}
    </Alert>
  );
}
