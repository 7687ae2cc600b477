import { Code, Stack, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import type { Connection } from "../../api/connections";
import { useDeleteSecret, type Secret } from "../../api/keystore";
import { ConfirmModal } from "../../components/ConfirmModal";

/** Asks before deleting a secret for good, naming the connections that would stop working. */
export function DeleteSecretModal(props: {
  secret: Secret | null;
  connections: Connection[];
  onClose: () => void;
  onDeleted: () => void;
}) {
  const deleteSecret = useDeleteSecret();
  const path = props.secret?.path;
  const usedBy = props.connections.filter((c) => path !== undefined && c.secretPath === path);
  return (
    <ConfirmModal
      opened={props.secret !== null}
      title="Delete this secret?"
      confirmLabel="Delete secret"
      onClose={props.onClose}
      onConfirm={async () => {
        if (path === undefined) return;
        await deleteSecret.mutateAsync(path);
        props.onDeleted();
        notifications.show({ message: `Secret ${path} deleted`, color: "teal" });
      }}
    >
      <Stack gap="xs">
        <Text size="sm">
          <Code>{path}</Code> and its value are deleted for good.
        </Text>
        {usedBy.length > 0 && (
          <Text size="sm" fw={500}>
            Connections using it ({usedBy.map((c) => c.name).join(", ")}) will fail until they name
            another secret.
          </Text>
        )}
      </Stack>
    </ConfirmModal>
  );
}
