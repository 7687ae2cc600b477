import { Code, List, Stack, Text } from "@mantine/core";

/** The detail panel before anything is picked in the tree: what picking shows, and the path rules. */
export function NothingSelected(props: { noSecrets: boolean }) {
  return (
    <Stack gap="xs">
      <Text size="sm">
        Select a secret to see who wrote it, when it was last used and which connections use it, or
        a folder to add a secret there.
      </Text>
      {props.noSecrets && (
        <Text size="sm" c="dimmed">
          No secrets yet: the secret access key of an <Code>access_key</Code> connection is the
          usual first one.
        </Text>
      )}
      <List size="sm" c="dimmed" spacing={2}>
        <List.Item>
          <Code>keys/system/&lt;name&gt;</Code> — the whole org; org admins write them.
        </List.Item>
        <List.Item>
          <Code>keys/project/&lt;project&gt;/&lt;name&gt;</Code> — one project; its members and org
          admins write them.
        </List.Item>
      </List>
    </Stack>
  );
}
