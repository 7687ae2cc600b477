import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Code,
  Group,
  List,
  Paper,
  Stack,
  Text,
  TextInput,
  Title,
  Tooltip,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconInfoCircle, IconPlus, IconX } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";
import { api, unwrap } from "../../api/client";
import { useAuth } from "../../app/auth";
import { ErrorAlert, Loading, PageHeader } from "../../components/page";
import { fieldError, otherError } from "../../components/field-errors";
import { When } from "../../components/time";

const outboundKey = ["settings", "outbound"] as const;

/** The list a fresh org starts with (the AWS public endpoints), offered as a starting point. */
const AWS_DEFAULTS = ["*.amazonaws.com", "*.amazonaws.com.cn", "*.api.aws"];

function Help() {
  return (
    <Paper withBorder p="md">
      <Title order={3} fz="sm" mb="xs">
        Patterns
      </Title>
      <List size="sm" spacing={4}>
        <List.Item>
          <Code>*.example.com</Code> — every subdomain at any depth, not example.com itself
        </List.Item>
        <List.Item>
          <Code>api.example.com</Code> — that host name only
        </List.Item>
        <List.Item>
          <Code>10.0.0.5</Code>, <Code>[::1]</Code>, <Code>10.0.0.0/16</Code> — addresses and CIDR
          ranges
        </List.Item>
        <List.Item>
          Any of them may end in <Code>:port</Code> (<Code>127.0.0.1:5000</Code>); without one every
          port matches.
        </List.Item>
      </List>
      <Text size="sm" c="dimmed" mt="sm">
        Loopback and private addresses need an address pattern (or an exact <Code>localhost</Code>{" "}
        or single-label name such as <Code>localstack</Code>). Link-local and metadata addresses
        (169.254.0.0/16, fd00:ec2::254) are always refused. An empty list refuses everything.
      </Text>
    </Paper>
  );
}

export function OutboundPage() {
  const { isAdmin } = useAuth();
  const queryClient = useQueryClient();
  const settings = useQuery({
    queryKey: outboundKey,
    queryFn: () => unwrap(api.GET("/api/v1/settings/outbound")),
  });
  const [rows, setRows] = useState<string[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (settings.data !== undefined && rows === null) setRows(settings.data.allow);
  }, [settings.data, rows]);

  const saved = settings.data?.allow ?? [];
  const list = rows ?? saved;
  const dirty = JSON.stringify(list) !== JSON.stringify(saved);

  const setRow = (index: number, value: string) =>
    setRows(list.map((r, i) => (i === index ? value : r)));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    // Blank rows are rows the user added and left empty, not patterns.
    const allow = list.map((r) => r.trim()).filter((r) => r !== "");
    try {
      const result = await unwrap(api.PUT("/api/v1/settings/outbound", { body: { allow } }));
      queryClient.setQueryData(outboundKey, result);
      setRows(result.allow);
      notifications.show({ message: "Outbound allow-list saved", color: "teal" });
    } catch (e) {
      // Keep the rows as sent, so an error naming allow.<index> lands on the right field.
      setRows(allow);
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const header = (
    <PageHeader
      title="Outbound allow-list"
      description="Every request Switchboard sends for this org (AWS SDK calls, webhooks, JWKS fetches) must match one of these patterns. A refused request names the host and this setting."
    />
  );

  if (settings.error !== null) {
    return (
      <>
        {header}
        <ErrorAlert error={settings.error} onRetry={() => void settings.refetch()} />
      </>
    );
  }
  if (settings.data === undefined) {
    return (
      <>
        {header}
        <Loading />
      </>
    );
  }

  const indexes = list.map((_, i) => `allow.${i}`);
  const general = otherError(error, indexes);

  return (
    <>
      {header}
      <Group align="flex-start" gap="lg" wrap="wrap">
        <form onSubmit={(e) => void submit(e)} style={{ flex: "1 1 420px", maxWidth: 640 }}>
          <Stack gap="sm">
            <Group gap="xs">
              {settings.data.isDefault ? (
                <Badge variant="light" color="gray">
                  default list
                </Badge>
              ) : (
                <Text size="sm" c="dimmed">
                  Changed by {settings.data.updatedBy ?? "unknown"}{" "}
                  <When exact iso={settings.data.updatedAt} />
                </Text>
              )}
            </Group>
            {general !== null && <ErrorAlert error={general} />}
            {list.length === 0 && (
              <Alert color="orange" variant="light" icon={<IconInfoCircle size={18} />}>
                The list is empty: every outbound request is refused, including AWS calls. Add{" "}
                <Code>*.amazonaws.com</Code> to reach AWS.
              </Alert>
            )}
            {list.map((row, i) => (
              <Group key={i} gap="xs" align="flex-start" wrap="nowrap">
                <TextInput
                  label={`Pattern ${i + 1}`}
                  value={row}
                  onChange={(e) => setRow(i, e.currentTarget.value)}
                  error={fieldError(error, `allow.${i}`)}
                  readOnly={!isAdmin}
                  style={{ flex: 1 }}
                  autoComplete="off"
                  spellCheck={false}
                  styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }}
                />
                {isAdmin && (
                  <Tooltip label={`Remove pattern ${i + 1}`}>
                    <ActionIcon
                      variant="subtle"
                      color="gray"
                      mt={26}
                      aria-label={`Remove pattern ${i + 1}`}
                      onClick={() => setRows(list.filter((_, j) => j !== i))}
                    >
                      <IconX size={16} />
                    </ActionIcon>
                  </Tooltip>
                )}
              </Group>
            ))}
            {isAdmin && (
              <Group justify="space-between">
                <Group gap="xs">
                  <Button
                    variant="default"
                    leftSection={<IconPlus size={16} />}
                    onClick={() => setRows([...list, ""])}
                  >
                    Add pattern
                  </Button>
                  <Button
                    variant="subtle"
                    onClick={() =>
                      setRows([...list, ...AWS_DEFAULTS.filter((d) => !list.includes(d))])
                    }
                    disabled={AWS_DEFAULTS.every((d) => list.includes(d))}
                  >
                    Add the AWS defaults
                  </Button>
                </Group>
                <Group gap="xs">
                  <Button
                    variant="default"
                    disabled={!dirty}
                    onClick={() => {
                      setRows(saved);
                      setError(null);
                    }}
                  >
                    Discard changes
                  </Button>
                  <Button type="submit" loading={busy} disabled={!dirty}>
                    Save
                  </Button>
                </Group>
              </Group>
            )}
          </Stack>
        </form>
        <div style={{ flex: "1 1 320px", maxWidth: 520 }}>
          <Help />
        </div>
      </Group>
    </>
  );
}
