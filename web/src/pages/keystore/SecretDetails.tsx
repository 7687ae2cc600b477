import {
  ActionIcon,
  Anchor,
  Button,
  Code,
  CopyButton,
  Group,
  Stack,
  Table,
  Text,
  Title,
  Tooltip,
} from "@mantine/core";
import { IconCheck, IconCopy, IconPencil, IconTrash } from "@tabler/icons-react";
import type { ReactNode } from "react";
import { Link } from "react-router";
import type { Connection } from "../../api/connections";
import { isManagedSecretPath, isWebhookSecretPath, type Secret } from "../../api/keystore";
import { When } from "../../components/time";

function CopyPath({ path }: { path: string }) {
  return (
    <CopyButton value={path}>
      {({ copied, copy }) => (
        <Tooltip label={copied ? "Copied" : "Copy the path"}>
          <ActionIcon
            variant="subtle"
            color="gray"
            size="sm"
            aria-label="Copy the path"
            onClick={copy}
          >
            {copied ? <IconCheck size={14} /> : <IconCopy size={14} />}
          </ActionIcon>
        </Tooltip>
      )}
    </CopyButton>
  );
}

function Meta(props: { rows: [string, ReactNode][] }) {
  return (
    <Table variant="vertical" withTableBorder layout="fixed">
      <Table.Tbody>
        {props.rows.map(([label, value]) => (
          <Table.Tr key={label}>
            <Table.Th w={140}>{label}</Table.Th>
            <Table.Td>{value}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** One secret's metadata (never its value), the connections that use it, and its actions. */
export function SecretDetails(props: {
  secret: Secret;
  usedBy: Connection[];
  onReplace: () => void;
  onDelete: () => void;
}) {
  const s = props.secret;
  const webhook = isWebhookSecretPath(s.path);
  // Kept by Switchboard itself: neither replaced nor deleted here (the API refuses it).
  const managed = isManagedSecretPath(s.path);
  return (
    <Stack gap="sm">
      <Group justify="space-between" align="flex-start" wrap="nowrap">
        <Stack gap={2} style={{ minWidth: 0 }}>
          <Title order={2} fz="md">
            {s.path.split("/").pop()}
          </Title>
          <Group gap={4} wrap="nowrap">
            <Code style={{ wordBreak: "break-all" }}>{s.path}</Code>
            <CopyPath path={s.path} />
          </Group>
        </Stack>
        {managed ? null : (
          <Group gap="xs" wrap="nowrap">
            <Button
              variant="default"
              leftSection={<IconPencil size={16} />}
              onClick={props.onReplace}
            >
              Replace value
            </Button>
            <Button
              variant="light"
              color="red"
              leftSection={<IconTrash size={16} />}
              onClick={props.onDelete}
            >
              Delete
            </Button>
          </Group>
        )}
      </Group>
      <Meta
        rows={[
          [
            "Value",
            <Text size="sm" c="dimmed" key="v">
              Write-only: never shown
            </Text>,
          ],
          ["Type", s.type === "key-pair" ? "private key (PEM)" : "password / key"],
          ["Scope", s.scope === "system" ? "System (whole org)" : `Project ${s.project ?? ""}`],
          [
            "Created",
            <span key="c">
              <When exact iso={s.createdAt} /> by {s.createdBy}
            </span>,
          ],
          [
            "Last changed",
            <span key="u">
              <When exact iso={s.updatedAt} /> by {s.updatedBy}
            </span>,
          ],
          ["Last used", <When exact key="l" iso={s.lastUsedAt} never="never used" />],
          [
            "HTTP hosts",
            s.allowedHosts === null || s.allowedHosts.length === 0 ? (
              <Text size="sm" c="dimmed" key="h">
                none: no http step may send it
              </Text>
            ) : (
              <Group gap={6} key="h">
                {s.allowedHosts.map((host) => (
                  <Code key={host}>{host}</Code>
                ))}
              </Group>
            ),
          ],
          [
            "Used by",
            webhook ? (
              <Text size="sm" key="b">
                the webhook of a workflow: it signs the calls that start its runs. Rotate it on the
                workflow&apos;s page (Triggers), which shows the new one once; it goes when the
                workflow is deleted, and is neither replaced nor deleted here.
              </Text>
            ) : props.usedBy.length === 0 ? (
              <Text size="sm" c="dimmed" key="b">
                no connection you can see
              </Text>
            ) : (
              <Group gap={6} key="b">
                {props.usedBy.map((c) => (
                  <Anchor key={c.name} component={Link} to={`/connections/${c.name}`} size="sm">
                    {c.name}
                  </Anchor>
                ))}
              </Group>
            ),
          ],
        ]}
      />
      <Text size="xs" c="dimmed">
        Each use of the value by Switchboard is recorded in the audit log as secret.use.
      </Text>
    </Stack>
  );
}
