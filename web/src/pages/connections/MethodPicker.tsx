import { Group, Radio, SimpleGrid, Text } from "@mantine/core";
import type { Method } from "../../api/connections";
import { METHOD_ORDER, METHODS } from "./format";

/** The credential method of a new connection, each with what it means. */
export function MethodPicker(props: {
  id: string;
  value: Method;
  onChange: (m: Method) => void;
  isAdmin: boolean;
  error?: string | undefined;
}) {
  return (
    <Radio.Group
      id={props.id}
      value={props.value}
      onChange={(v) => props.onChange(v)}
      label="Method"
      description="How Switchboard obtains credentials for this account"
      error={props.error}
    >
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs" mt="xs">
        {METHOD_ORDER.map((m) => {
          const disabled = m === "ambient" && !props.isAdmin;
          return (
            <Radio.Card key={m} value={m} p="sm" radius="sm" disabled={disabled}>
              <Group wrap="nowrap" align="flex-start" gap="sm">
                <Radio.Indicator mt={2} disabled={disabled} />
                <div>
                  <Text size="sm" fw={600}>
                    {METHODS[m].label}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {disabled
                      ? "Only org admins may use the server's identity."
                      : METHODS[m].summary}
                  </Text>
                </div>
              </Group>
            </Radio.Card>
          );
        })}
      </SimpleGrid>
    </Radio.Group>
  );
}
