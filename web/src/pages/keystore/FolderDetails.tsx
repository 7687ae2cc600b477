import { Button, Code, Group, Stack, Text, Title } from "@mantine/core";
import { IconPlus } from "@tabler/icons-react";
import type { Project, Secret } from "../../api/keystore";
import { folderTarget, kindOf, type Target } from "./secret-tree";

/** The "Projects" root: what a project is, and (for admins) a way to make one. */
function ProjectsRoot(props: { isAdmin: boolean; onNewProject: () => void }) {
  return (
    <Stack gap="sm">
      <Title order={2} fz="md">
        Projects
      </Title>
      <Text size="sm">
        A project&apos;s secrets live under <Code>keys/project/&lt;project&gt;/</Code>; its members
        (users or teams) and org admins write them.
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

/** A folder of the tree (System, a project, or a folder inside them): who writes it, what is in it. */
export function FolderDetails(props: {
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
    return <ProjectsRoot isAdmin={props.isAdmin} onNewProject={props.onNewProject} />;
  }
  const project = props.project;
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
          <Button
            leftSection={<IconPlus size={16} />}
            onClick={() => props.onAdd(folderTarget(props.value))}
          >
            Add secret here
          </Button>
          {kind.kind === "project" && project !== undefined && props.isAdmin && (
            <>
              <Button variant="default" onClick={() => props.onEditProject(project)}>
                Edit project
              </Button>
              <Button variant="light" color="red" onClick={() => props.onDeleteProject(project)}>
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
      {kind.kind === "project" && project !== undefined && (
        <Text size="sm">
          Members:{" "}
          {project.members.length === 0 ? (
            <Text span c="dimmed" size="sm">
              none (only org admins write its secrets)
            </Text>
          ) : (
            project.members.join(", ")
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
