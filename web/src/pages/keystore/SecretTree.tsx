import {
  ActionIcon,
  Badge,
  Group,
  Paper,
  Text,
  Tooltip,
  Tree,
  useTree,
  type RenderTreeNodePayload,
} from "@mantine/core";
import {
  IconChevronDown,
  IconChevronRight,
  IconFolder,
  IconFolderOpen,
  IconKey,
  IconRefresh,
} from "@tabler/icons-react";
import { useMemo, useRef, useState, type KeyboardEvent } from "react";
import type { Secret } from "../../api/keystore";
import { buildSecretTree } from "./secret-tree";

function NodeLabel(props: RenderTreeNodePayload & { secret: Secret | undefined }) {
  const { node, expanded, hasChildren, elementProps } = props;
  const folder = node.children !== undefined;
  return (
    <Group gap={6} wrap="nowrap" {...elementProps}>
      {folder ? (
        <>
          {hasChildren ? (
            expanded ? (
              <IconChevronDown size={14} aria-hidden />
            ) : (
              <IconChevronRight size={14} aria-hidden />
            )
          ) : (
            <span style={{ width: 14 }} />
          )}
          {expanded ? (
            <IconFolderOpen size={16} aria-hidden />
          ) : (
            <IconFolder size={16} aria-hidden />
          )}
        </>
      ) : (
        <>
          <span style={{ width: 14 }} />
          <IconKey size={16} aria-hidden />
        </>
      )}
      <Text size="sm" truncate>
        {node.label}
      </Text>
      {props.secret?.type === "key-pair" && (
        <Badge size="xs" variant="light" color="gray">
          PEM
        </Badge>
      )}
    </Group>
  );
}

/** The secret paths as folders (System, Projects, one per project) with the secrets in them. */
export function SecretTree(props: {
  secrets: Secret[];
  projects: string[];
  isAdmin: boolean;
  selected: string | null;
  onSelect: (value: string) => void;
  onReload: () => void;
}) {
  const { secrets, projects, isAdmin, selected, onSelect } = props;
  const data = useMemo(
    () =>
      buildSecretTree(
        secrets.map((s) => s.path),
        projects,
        isAdmin,
      ),
    [secrets, projects, isAdmin],
  );
  const byPath = useMemo(() => new Map(secrets.map((s) => [s.path, s])), [secrets]);

  // Every folder starts open the first time it appears (on load, or when a secret creates it);
  // after that the user's choice stands.
  const seen = useRef(new Set<string>());
  const [expanded, setExpanded] = useState<Record<string, boolean>>({});
  const tree = useTree({
    expandedState: expanded,
    onExpandedStateChange: (next) => {
      const merged = { ...next };
      for (const value of Object.keys(next)) {
        if (!seen.current.has(value)) {
          seen.current.add(value);
          merged[value] = true;
        }
      }
      setExpanded(merged);
    },
    selectedState: selected === null ? [] : [selected],
  });

  const onTreeKey = (event: KeyboardEvent<HTMLUListElement>) => {
    if (event.key !== "Enter") return;
    const value = (event.target as HTMLElement).dataset.value;
    if (value !== undefined) {
      event.preventDefault();
      onSelect(value);
    }
  };

  return (
    <Paper withBorder p="xs">
      <Group justify="space-between" px={4} mb={4}>
        <Text size="xs" c="dimmed" fw={600} tt="uppercase" id="keystore-tree-label">
          Secrets
        </Text>
        <Tooltip label="Reload">
          <ActionIcon
            variant="subtle"
            color="gray"
            size="sm"
            aria-label="Reload the key store"
            onClick={props.onReload}
          >
            <IconRefresh size={14} />
          </ActionIcon>
        </Tooltip>
      </Group>
      <Tree
        aria-labelledby="keystore-tree-label"
        data={data}
        tree={tree}
        levelOffset="md"
        expandOnClick
        onKeyDown={onTreeKey}
        renderNode={(payload) => (
          <NodeLabel
            {...payload}
            secret={byPath.get(payload.node.value)}
            elementProps={{
              ...payload.elementProps,
              onClick: (e) => {
                payload.elementProps.onClick(e);
                onSelect(payload.node.value);
              },
            }}
          />
        )}
      />
      {!isAdmin && (
        <Text size="xs" c="dimmed" px={4} mt="xs">
          System secrets are managed by org admins; you see the projects you belong to.
        </Text>
      )}
    </Paper>
  );
}
