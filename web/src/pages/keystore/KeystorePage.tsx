import {
  Anchor,
  Badge,
  Button,
  Code,
  CopyButton,
  Grid,
  Group,
  List,
  Paper,
  Stack,
  Table,
  Text,
  Title,
  Tooltip,
  Tree,
  ActionIcon,
  useTree,
  type RenderTreeNodePayload,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import {
  IconCheck,
  IconChevronDown,
  IconChevronRight,
  IconCopy,
  IconFolder,
  IconFolderOpen,
  IconKey,
  IconLock,
  IconPencil,
  IconPlus,
  IconRefresh,
  IconTrash,
} from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from "react";
import { Link, useSearchParams } from "react-router";
import { allPages, api, type Ok, unwrap } from "../../api/client";
import { useAuth } from "../../app/auth";
import { Empty, ErrorAlert, Loading, PageHeader } from "../../components/page";
import { ConfirmModal } from "../../components/ConfirmModal";
import { ProjectModal, projectsKey, type Project } from "./ProjectModal";
import {
  buildSecretTree,
  kindOf,
  PROJECT_PREFIX,
  projectPrefix,
  SYSTEM_PREFIX,
} from "./secret-tree";
import { AddSecretModal, ReplaceSecretModal, secretsKey, type Target } from "./SecretForms";
import { When } from "../../components/time";

type Secret = Ok<"/api/v1/secrets", "get">["items"][number];
type Connection = Ok<"/api/v1/connections", "get">["items"][number];

/** The path segments as the URL of DELETE /secrets/<path> (each segment escaped, "/" kept). */
function secretUrlPath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

function useSecrets() {
  return useQuery({
    queryKey: secretsKey,
    queryFn: () =>
      allPages((cursor) =>
        unwrap(
          api.GET("/api/v1/secrets", {
            params: { query: { limit: 500, ...(cursor === undefined ? {} : { cursor }) } },
          }),
        ),
      ),
  });
}

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

function SecretDetails(props: {
  secret: Secret;
  usedBy: Connection[];
  onReplace: () => void;
  onDelete: () => void;
}) {
  const s = props.secret;
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
            "Used by",
            props.usedBy.length === 0 ? (
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

function FolderDetails(props: {
  value: string;
  secrets: Secret[];
  project: Project | undefined;
  isAdmin: boolean;
  onAdd: (target: Target) => void;
  onNewProject: () => void;
  onEditProject: (p: Project) => void;
  onDeleteProject: (p: Project) => void;
}) {
  const kind = kindOf(props.value);
  const inside = props.secrets.filter((s) => s.path.startsWith(props.value));
  if (kind.kind === "projects") {
    return (
      <Stack gap="sm">
        <Title order={2} fz="md">
          Projects
        </Title>
        <Text size="sm">
          A project&apos;s secrets live under <Code>keys/project/&lt;project&gt;/</Code>; its
          members (users or teams) and org admins write them.
        </Text>
        {props.isAdmin && (
          <Group>
            <Button leftSection={<IconPlus size={16} />} onClick={props.onNewProject}>
              New project
            </Button>
          </Group>
        )}
      </Stack>
    );
  }
  const target: Target =
    kind.kind === "system"
      ? { scope: "system", project: null, folder: "" }
      : kind.kind === "project"
        ? { scope: "project", project: kind.project, folder: "" }
        : props.value.startsWith(SYSTEM_PREFIX)
          ? { scope: "system", project: null, folder: props.value.slice(SYSTEM_PREFIX.length) }
          : (() => {
              const [project = "", ...rest] = props.value.slice(PROJECT_PREFIX.length).split("/");
              return { scope: "project", project, folder: rest.join("/") };
            })();
  const title =
    kind.kind === "system"
      ? "System"
      : kind.kind === "project"
        ? `Project ${kind.project}`
        : props.value;
  return (
    <Stack gap="sm">
      <Group justify="space-between" align="flex-start" wrap="nowrap">
        <Stack gap={2}>
          <Title order={2} fz="md">
            {title}
          </Title>
          <Code>{props.value}</Code>
        </Stack>
        <Group gap="xs" wrap="nowrap">
          <Button leftSection={<IconPlus size={16} />} onClick={() => props.onAdd(target)}>
            Add secret here
          </Button>
          {kind.kind === "project" && props.project !== undefined && props.isAdmin && (
            <>
              <Button
                variant="default"
                onClick={() => props.project !== undefined && props.onEditProject(props.project)}
              >
                Edit project
              </Button>
              <Button
                variant="light"
                color="red"
                onClick={() => props.project !== undefined && props.onDeleteProject(props.project)}
              >
                Delete project
              </Button>
            </>
          )}
        </Group>
      </Group>
      {kind.kind === "system" && (
        <Text size="sm">
          Secrets for the whole org, such as the secret access key of an <Code>access_key</Code>{" "}
          connection. Only org admins write them.
        </Text>
      )}
      {kind.kind === "project" && props.project !== undefined && (
        <Text size="sm">
          Members:{" "}
          {props.project.members.length === 0 ? (
            <Text span c="dimmed" size="sm">
              none (only org admins write its secrets)
            </Text>
          ) : (
            props.project.members.join(", ")
          )}
        </Text>
      )}
      <Text size="sm" c="dimmed">
        {inside.length === 0
          ? "No secrets here yet."
          : `${inside.length} secret${inside.length === 1 ? "" : "s"} in this folder.`}
      </Text>
    </Stack>
  );
}

function KeystoreEmpty(props: { isAdmin: boolean; hasProjects: boolean; onAdd: () => void }) {
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

/** /keystore — the tree of secret paths; ?path= selects one, ?add / ?replace open the dialogs. */
export function KeystorePage() {
  const { isAdmin } = useAuth();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const secrets = useSecrets();
  const projects = useQuery({
    queryKey: projectsKey,
    queryFn: () => unwrap(api.GET("/api/v1/projects")),
  });
  const connections = useQuery({
    queryKey: ["keystore", "connections"],
    queryFn: () => unwrap(api.GET("/api/v1/connections")),
  });
  const [addTarget, setAddTarget] = useState<Target | null>(null);
  const [deleting, setDeleting] = useState<Secret | null>(null);
  const [projectDialog, setProjectDialog] = useState<Project | "new" | null>(null);
  const [deletingProject, setDeletingProject] = useState<Project | null>(null);

  const selected = params.get("path");
  const adding = params.get("add") !== null;
  const replacing = params.get("replace");

  const setParam = (changes: Record<string, string | null>, replace = false) =>
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        for (const [k, v] of Object.entries(changes)) {
          if (v === null) next.delete(k);
          else next.set(k, v);
        }
        return next;
      },
      { replace },
    );

  const projectNames = useMemo(
    () => (projects.data?.items ?? []).map((p) => p.name),
    [projects.data],
  );
  const data = useMemo(
    () =>
      buildSecretTree(
        (secrets.data ?? []).map((s) => s.path),
        projectNames,
        isAdmin,
      ),
    [secrets.data, projectNames, isAdmin],
  );
  const byPath = useMemo(
    () => new Map((secrets.data ?? []).map((s) => [s.path, s])),
    [secrets.data],
  );

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

  const select = (value: string) => setParam({ path: value });

  const openAdd = (target: Target) => {
    setAddTarget(target);
    setParam({ add: "1" });
  };
  const defaultTarget = (): Target => {
    if (selected !== null) {
      const kind = kindOf(selected);
      if (kind.kind === "project") return { scope: "project", project: kind.project, folder: "" };
    }
    return isAdmin || projectNames.length === 0
      ? { scope: "system", project: null, folder: "" }
      : { scope: "project", project: projectNames[0] ?? null, folder: "" };
  };

  const error = secrets.error ?? projects.error;
  const loaded = secrets.data !== undefined && projects.data !== undefined;
  const selectedSecret = selected === null ? undefined : byPath.get(selected);
  const replacingSecret = replacing === null ? undefined : byPath.get(replacing);

  const onTreeKey = (event: KeyboardEvent<HTMLUListElement>) => {
    if (event.key !== "Enter") return;
    const value = (event.target as HTMLElement).dataset.value;
    if (value !== undefined) {
      event.preventDefault();
      select(value);
    }
  };

  return (
    <>
      <PageHeader
        title="Key store"
        description="Encrypted, write-only secrets: the secret keys of access-key connections and other credentials Switchboard uses. Values go in and are never shown again."
        actions={
          <Group gap="xs" wrap="nowrap">
            {isAdmin && (
              <Button variant="default" onClick={() => setProjectDialog("new")}>
                New project
              </Button>
            )}
            <Button leftSection={<IconPlus size={16} />} onClick={() => openAdd(defaultTarget())}>
              Add secret
            </Button>
          </Group>
        }
      />
      {error !== null ? (
        <ErrorAlert
          error={error}
          onRetry={() => {
            void secrets.refetch();
            void projects.refetch();
          }}
        />
      ) : !loaded ? (
        <Loading label="Loading the key store" />
      ) : secrets.data.length === 0 && projectNames.length === 0 ? (
        <KeystoreEmpty
          isAdmin={isAdmin}
          hasProjects={projectNames.length > 0}
          onAdd={() => openAdd(defaultTarget())}
        />
      ) : (
        <Grid gap="md">
          <Grid.Col span={{ base: 12, md: 5, lg: 4 }}>
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
                    onClick={() => {
                      void secrets.refetch();
                      void projects.refetch();
                    }}
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
                        select(payload.node.value);
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
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 7, lg: 8 }}>
            <Paper withBorder p="md">
              {selected === null ? (
                <Stack gap="xs">
                  <Text size="sm">
                    Select a secret to see who wrote it, when it was last used and which connections
                    use it, or a folder to add a secret there.
                  </Text>
                  {secrets.data.length === 0 && (
                    <Text size="sm" c="dimmed">
                      No secrets yet: the secret access key of an <Code>access_key</Code> connection
                      is the usual first one.
                    </Text>
                  )}
                  <List size="sm" c="dimmed" spacing={2}>
                    <List.Item>
                      <Code>keys/system/&lt;name&gt;</Code> — the whole org; org admins write them.
                    </List.Item>
                    <List.Item>
                      <Code>keys/project/&lt;project&gt;/&lt;name&gt;</Code> — one project; its
                      members and org admins write them.
                    </List.Item>
                  </List>
                </Stack>
              ) : selectedSecret !== undefined ? (
                <SecretDetails
                  secret={selectedSecret}
                  usedBy={(connections.data?.items ?? []).filter(
                    (c) => c.secretPath === selectedSecret.path,
                  )}
                  onReplace={() => setParam({ replace: selectedSecret.path })}
                  onDelete={() => setDeleting(selectedSecret)}
                />
              ) : selected.endsWith("/") ? (
                <FolderDetails
                  value={selected}
                  secrets={secrets.data}
                  project={(() => {
                    const kind = kindOf(selected);
                    return kind.kind === "project"
                      ? projects.data.items.find((p) => p.name === kind.project)
                      : undefined;
                  })()}
                  isAdmin={isAdmin}
                  onAdd={openAdd}
                  onNewProject={() => setProjectDialog("new")}
                  onEditProject={(p) => setProjectDialog(p)}
                  onDeleteProject={(p) => setDeletingProject(p)}
                />
              ) : (
                <Text size="sm" c="dimmed">
                  There is no secret at {selected} (or you cannot see it).
                </Text>
              )}
            </Paper>
          </Grid.Col>
        </Grid>
      )}
      {adding && loaded && (
        <AddSecretModal
          opened
          initial={addTarget ?? defaultTarget()}
          projects={projectNames}
          isAdmin={isAdmin}
          onClose={() => {
            setAddTarget(null);
            setParam({ add: null }, true);
          }}
          onSaved={(path) => {
            setAddTarget(null);
            setParam({ add: null, path }, true);
          }}
        />
      )}
      {replacingSecret !== undefined && (
        <ReplaceSecretModal
          key={replacingSecret.path}
          path={replacingSecret.path}
          type={replacingSecret.type}
          onClose={() => setParam({ replace: null }, true)}
        />
      )}
      {projectDialog !== null && (
        <ProjectModal
          project={projectDialog === "new" ? null : projectDialog}
          onClose={() => setProjectDialog(null)}
          onSaved={(name) => {
            setProjectDialog(null);
            setParam({ path: projectPrefix(name) });
          }}
        />
      )}
      <ConfirmModal
        opened={deleting !== null}
        title="Delete this secret?"
        confirmLabel="Delete secret"
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          if (deleting === null) return;
          const path = deleting.path;
          await unwrap(
            api.DELETE("/api/v1/secrets/{*}", {
              params: { path: { "*": path } },
              // openapi-fetch reads "{*}" as an exploded parameter with no name; the path's
              // slashes must stay slashes for the server's wildcard route.
              pathSerializer: (pathname) => pathname.replace("{*}", secretUrlPath(path)),
            }),
          );
          setParam({ path: null }, true);
          await queryClient.invalidateQueries({ queryKey: secretsKey });
          notifications.show({ message: `Secret ${path} deleted`, color: "teal" });
        }}
      >
        <Stack gap="xs">
          <Text size="sm">
            <Code>{deleting?.path}</Code> and its value are deleted for good.
          </Text>
          {deleting !== null &&
            (connections.data?.items ?? []).some((c) => c.secretPath === deleting.path) && (
              <Text size="sm" fw={500}>
                Connections using it (
                {(connections.data?.items ?? [])
                  .filter((c) => c.secretPath === deleting.path)
                  .map((c) => c.name)
                  .join(", ")}
                ) will fail until they name another secret.
              </Text>
            )}
        </Stack>
      </ConfirmModal>
      <ConfirmModal
        opened={deletingProject !== null}
        title={`Delete project ${deletingProject?.name ?? ""}?`}
        confirmLabel="Delete project"
        onClose={() => setDeletingProject(null)}
        onConfirm={async () => {
          if (deletingProject === null) return;
          await unwrap(
            api.DELETE("/api/v1/projects/{name}", {
              params: { path: { name: deletingProject.name } },
            }),
          );
          setParam({ path: null }, true);
          await queryClient.invalidateQueries({ queryKey: projectsKey });
          notifications.show({ message: `Project ${deletingProject.name} deleted`, color: "teal" });
        }}
      >
        Only an empty project can be deleted: delete its secrets first.
      </ConfirmModal>
    </>
  );
}
