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
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";
import { outboundQuery, useSaveOutboundAllowList } from "../../api/settings";
import { useAuth } from "../../app/auth";
import { ErrorAlert, Loading, PageHeader } from "../../components/page";
import { fieldError, otherError } from "../../components/field-errors";
import { When } from "../../components/time";

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
  const settings = useQuery(outboundQuery);
  const save = useSaveOutboundAllowList();
  const [rows, setRows] = useState<string[] | null>(null);
  const error = save.error;

  useEffect(() => {
    if (settings.data !== undefined && rows === null) setRows(settings.data.allow);
  }, [settings.data, rows]);

  const saved = settings.data?.allow ?? [];
  const list = rows ?? saved;
  const dirty = JSON.stringify(list) !== JSON.stringify(saved);

  const setRow = (index: number, value: string) =>
    setRows(list.map((r, i) => (i === index ? value : r)));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    // Blank rows are rows the user added and left empty, not patterns.
    const allow = list.map((r) => r.trim()).filter((r) => r !== "");
    save.mutate(allow, {
      onSuccess: (result) => {
        setRows(result.allow);
        notifications.show({ message: "Outbound allow-list saved", color: "teal" });
      },
      // Keep the rows as sent, so an error naming allow.<index> lands on the right field.
      onError: () => setRows(allow),
    });
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
        <form onSubmit={submit} style={{ flex: "1 1 420px", maxWidth: 640 }}>
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
                      save.reset();
                    }}
                  >
                    Discard changes
                  </Button>
                  <Button type="submit" loading={save.isPending} disabled={!dirty}>
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
