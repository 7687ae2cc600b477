import { Button, Group, Modal, MultiSelect, Stack, Text, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useSaveProject, type Project } from "../../api/keystore";
import { teamsQuery, usersQuery } from "../../api/settings";
import { ErrorAlert } from "../../components/page";
import { fieldError, otherError } from "../../components/field-errors";

/**
 * Creates a project, or renames one and replaces its members (admins). Renaming moves the
 * project's secrets to the new paths.
 */
export function ProjectModal(props: {
  project: Project | null;
  onClose: () => void;
  onSaved: (name: string) => void;
}) {
  const save = useSaveProject(props.project?.name ?? null);
  const users = useQuery(usersQuery);
  const teams = useQuery(teamsQuery);
  const [name, setName] = useState(props.project?.name ?? "");
  const [members, setMembers] = useState<string[]>(props.project?.members ?? []);
  const error = save.error;

  const options = [
    {
      group: "Teams",
      items: (teams.data ?? []).map((t) => ({ value: `team:${t.name}`, label: `team:${t.name}` })),
    },
    {
      group: "Users",
      items: (users.data ?? []).map((u) => ({ value: `user:${u.name}`, label: `user:${u.name}` })),
    },
  ];

  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate(
      { name: name.trim(), members },
      {
        onSuccess: (saved) => {
          notifications.show({
            message: `Project ${saved.name} ${props.project === null ? "created" : "saved"}`,
            color: "teal",
          });
          props.onSaved(saved.name);
        },
      },
    );
  };

  const renaming = props.project !== null && name.trim() !== props.project.name;
  return (
    <Modal
      opened
      onClose={props.onClose}
      title={props.project === null ? "New project" : `Edit project ${props.project.name}`}
    >
      <form onSubmit={submit}>
        <Stack>
          {otherError(error, ["name", "members"]) !== null && <ErrorAlert error={error} />}
          <TextInput
            label="Project name"
            description="Lower-case letters, digits, '.', '_' or '-'; its secrets live under keys/project/<name>/"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={fieldError(error, "name")}
            required
            data-autofocus
            autoComplete="off"
          />
          {renaming && (
            <Text size="xs" c="dimmed">
              Renaming moves every secret of the project to keys/project/{name.trim()}/; update
              connections that name the old paths.
            </Text>
          )}
          <MultiSelect
            label="Members"
            description="Members (and org admins) write the project's secrets"
            data={options}
            value={members}
            onChange={setMembers}
            searchable
            nothingFoundMessage="No such user or team"
            error={fieldError(error, "members")}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={props.onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              {props.project === null ? "Create project" : "Save"}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
