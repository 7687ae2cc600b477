import { Badge, Button, Group, Modal, Stack, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useRestoreVersion, workflowVersionQuery, type WorkflowDetail } from "../../api/workflows";
import { ErrorAlert, Loading } from "../../components/page";
import { When } from "../../components/time";
import { actorName } from "../actions/format";
import { YamlEditor } from "./YamlEditor";

function VersionSource(props: { name: string; version: number; onClose: () => void }) {
  const version = useQuery(workflowVersionQuery(props.name, props.version));
  return (
    <Modal
      opened
      onClose={props.onClose}
      title={`${props.name}, version ${props.version}`}
      size="xl"
    >
      {version.error !== null ? (
        <ErrorAlert error={version.error} />
      ) : version.data === undefined ? (
        <Loading />
      ) : (
        <YamlEditor
          label={`Definition of version ${props.version}`}
          value={version.data.source}
          readOnly
          minHeight="200px"
        />
      )}
    </Modal>
  );
}

/** Every saved version, newest first: look at one, or save it again as the newest (restore). */
export function VersionsPanel(props: { workflow: WorkflowDetail }) {
  const { name, versions, version: current } = props.workflow;
  const restore = useRestoreVersion(name);
  const [viewing, setViewing] = useState<number | null>(null);
  return (
    <Stack gap="xs">
      {restore.error !== null && <ErrorAlert error={restore.error} />}
      <Stack gap={4} component="ul" p={0} m={0} style={{ listStyle: "none" }} aria-label="Versions">
        {versions.map((v) => (
          <Group
            key={v.version}
            component="li"
            justify="space-between"
            gap="xs"
            wrap="nowrap"
            aria-label={`Version ${v.version}`}
          >
            <Stack gap={0} style={{ minWidth: 0 }}>
              <Group gap={6}>
                <Text size="sm" fw={600}>
                  v{v.version}
                </Text>
                {v.version === current && (
                  <Badge size="xs" variant="light">
                    current
                  </Badge>
                )}
              </Group>
              <Text size="xs" c="dimmed">
                <When iso={v.createdAt} /> by {actorName(v.createdBy)}
              </Text>
            </Stack>
            <Group gap={4} wrap="nowrap">
              <Button
                size="compact-xs"
                variant="subtle"
                aria-label={`View version ${v.version}`}
                onClick={() => setViewing(v.version)}
              >
                View
              </Button>
              {v.version !== current && (
                <Button
                  size="compact-xs"
                  variant="light"
                  aria-label={`Restore version ${v.version}`}
                  loading={restore.isPending && restore.variables === v.version}
                  onClick={() =>
                    restore.mutate(v.version, {
                      onSuccess: (saved) =>
                        notifications.show({
                          color: "teal",
                          message: `Version ${v.version} restored as version ${saved.version}`,
                        }),
                    })
                  }
                >
                  Restore
                </Button>
              )}
            </Group>
          </Group>
        ))}
      </Stack>
      {viewing !== null && (
        <VersionSource name={name} version={viewing} onClose={() => setViewing(null)} />
      )}
    </Stack>
  );
}
