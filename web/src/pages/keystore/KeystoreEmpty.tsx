import { Button, Code, Stack, Text } from "@mantine/core";
import { IconLock, IconPlus } from "@tabler/icons-react";
import { Empty } from "../../components/page";

/** The key store with no secret and no project: what it is for, and the first step. */
export function KeystoreEmpty(props: {
  isAdmin: boolean;
  hasProjects: boolean;
  onAdd: () => void;
}) {
  const canAdd = props.isAdmin || props.hasProjects;
  return (
    <Empty
      icon={<IconLock size={32} />}
      title="The key store is empty"
      description={
        <Stack gap={6} align="center">
          <Text size="sm" c="dimmed" ta="center" maw={560}>
            The key store holds the secrets Switchboard uses for you — above all the secret access
            key of an <Code>access_key</Code> connection. Values are encrypted at rest and
            write-only: no page, API call or CLI command shows them again.
          </Text>
          <Text size="sm" c="dimmed" ta="center" maw={560}>
            {canAdd
              ? "Add a secret, then name its path (keys/system/… or keys/project/…) as the connection's secret path."
              : "You can write the secrets of projects you belong to; ask an admin to add you to a project."}
          </Text>
        </Stack>
      }
      action={
        canAdd ? (
          <Button leftSection={<IconPlus size={16} />} onClick={props.onAdd}>
            Add a secret
          </Button>
        ) : undefined
      }
    />
  );
}
