import {
  ActionIcon,
  Badge,
  Button,
  Group,
  Modal,
  PasswordInput,
  SegmentedControl,
  Stack,
  Text,
  TextInput,
  Tooltip,
  VisuallyHidden,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconPencil, IconPlus, IconTrash } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import {
  useAddUser,
  useEditUser,
  useRemoveUser,
  usersQuery,
  type NewUser,
  type User,
  type UserChange,
} from "../../api/settings";
import { useAuth } from "../../app/auth";
import { ListTable } from "../../components/ListTable";
import { Empty, ErrorAlert, PageHeader } from "../../components/page";
import { AdminOnlyNote, ShownOnceAlert } from "../../components/notes";
import { ConfirmModal } from "../../components/ConfirmModal";
import { fieldError, otherError } from "../../components/field-errors";
import { SecretText } from "../../components/SecretText";
import { useDialogParam } from "../../components/dialog-param";
import { When } from "../../components/time";

type Role = User["role"];

const ROLES: { value: Role; label: string }[] = [
  { value: "member", label: "Member" },
  { value: "admin", label: "Admin" },
];

function RoleBadge({ role }: { role: Role }) {
  return (
    <Badge variant="light" color={role === "admin" ? "grape" : "gray"} size="sm">
      {role}
    </Badge>
  );
}

/** The one-time setup link, with copy; it is not kept anywhere once the dialog closes. */
function SetupLink({ name, url }: { name: string; url: string }) {
  return (
    <Stack gap="sm">
      <ShownOnceAlert title="Shown once">
        Pass this link to {name}: it sets their password, works once and expires in 24 hours.
        Switchboard does not show it again; if it is lost, remove the user and add them again, or
        set a password for them.
      </ShownOnceAlert>
      <SecretText label="Setup link" value={url} copyLabel="Copy link" />
    </Stack>
  );
}

function AddUserModal(props: { opened: boolean; onClose: () => void }) {
  const addUser = useAddUser();
  const [name, setName] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [role, setRole] = useState<Role>("member");
  const [password, setPassword] = useState("");
  const error = addUser.error;
  // The setup link lives in the mutation's answer only until the dialog closes (reset).
  const created =
    addUser.data === undefined || addUser.data.setupUrl === null
      ? null
      : { name: addUser.data.user.name, setupUrl: addUser.data.setupUrl };

  const close = () => {
    setName("");
    setDisplayName("");
    setRole("member");
    setPassword("");
    addUser.reset();
    props.onClose();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body: NewUser = {
      name: name.trim(),
      role,
      ...(displayName.trim() === "" ? {} : { displayName: displayName.trim() }),
      ...(password === "" ? {} : { password }),
    };
    addUser.mutate(body, {
      onSuccess: (result) => {
        setPassword("");
        if (result.setupUrl === null) {
          notifications.show({ message: `User ${result.user.name} added`, color: "teal" });
          close();
        }
      },
    });
  };

  const fields = ["name", "displayName", "role", "password"];
  return (
    <Modal
      opened={props.opened}
      onClose={close}
      title={created === null ? "Add a user" : `User ${created.name} added`}
      size="lg"
    >
      {created !== null ? (
        <Stack>
          <SetupLink name={created.name} url={created.setupUrl} />
          <Group justify="flex-end">
            <Button onClick={close}>Done</Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={submit}>
          <Stack>
            {otherError(error, fields) !== null && <ErrorAlert error={error} />}
            <TextInput
              label="Username"
              description="Lower-case letters, digits, '.', '_' or '-'; used to sign in and in grants (user:<name>)"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={fieldError(error, "name")}
              required
              data-autofocus
              autoComplete="off"
            />
            <TextInput
              label="Display name"
              value={displayName}
              onChange={(e) => setDisplayName(e.currentTarget.value)}
              error={fieldError(error, "displayName")}
              autoComplete="off"
            />
            <Stack gap={4}>
              <Text size="sm" fw={500} id="new-user-role">
                Role
              </Text>
              <SegmentedControl
                aria-labelledby="new-user-role"
                data={ROLES}
                value={role}
                onChange={(v) => setRole(v)}
              />
              <Text size="xs" c="dimmed">
                Admins manage people, settings, system secrets and every connection.
              </Text>
            </Stack>
            <PasswordInput
              label="Password"
              description="Leave empty to get a one-time setup link to pass on instead (at least 12 characters otherwise)"
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              error={fieldError(error, "password")}
              autoComplete="new-password"
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={addUser.isPending}>
                Add user
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

function EditUserModal(props: { user: User | undefined; onClose: () => void }) {
  const { user } = props;
  const editUser = useEditUser(user?.name ?? "");
  const [displayName, setDisplayName] = useState(user?.displayName ?? "");
  const [role, setRole] = useState<Role>(user?.role ?? "member");
  const [password, setPassword] = useState("");
  const error = editUser.error;

  if (user === undefined) return null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body: UserChange = {
      displayName: displayName.trim() === "" ? null : displayName.trim(),
      ...(role === user.role ? {} : { role }),
      ...(password === "" ? {} : { password }),
    };
    editUser.mutate(body, {
      onSuccess: () => {
        setPassword("");
        notifications.show({ message: `User ${user.name} saved`, color: "teal" });
        props.onClose();
      },
    });
  };
  const fields = ["displayName", "role", "password"];
  return (
    <Modal opened onClose={props.onClose} title={`Edit ${user.name}`}>
      <form onSubmit={submit}>
        <Stack>
          {otherError(error, fields) !== null && <ErrorAlert error={error} />}
          <TextInput
            label="Display name"
            value={displayName}
            onChange={(e) => setDisplayName(e.currentTarget.value)}
            error={fieldError(error, "displayName")}
            data-autofocus
            autoComplete="off"
          />
          <Stack gap={4}>
            <Text size="sm" fw={500} id="edit-user-role">
              Role
            </Text>
            <SegmentedControl
              aria-labelledby="edit-user-role"
              data={ROLES}
              value={role}
              onChange={(v) => setRole(v)}
            />
          </Stack>
          <PasswordInput
            label="New password"
            description="Leave empty to keep the current one"
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            error={fieldError(error, "password")}
            autoComplete="new-password"
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={props.onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={editUser.isPending}>
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function UsersPage() {
  const { isAdmin, me } = useAuth();
  const users = useQuery(usersQuery);
  const removeUser = useRemoveUser();
  const add = useDialogParam("new");
  const edit = useDialogParam("edit");
  const [removing, setRemoving] = useState<User | null>(null);

  const addButton = isAdmin ? (
    <Button leftSection={<IconPlus size={16} />} onClick={() => add.open()}>
      Add user
    </Button>
  ) : undefined;

  return (
    <>
      <PageHeader
        title="Users"
        description="People who sign in to this org. Admins manage users, settings and system secrets; members see what they are granted."
        actions={addButton}
      />
      {!isAdmin && <AdminOnlyNote what="add, change or remove users" />}
      {users.error !== null ? (
        <ErrorAlert error={users.error} onRetry={() => void users.refetch()} />
      ) : (
        <ListTable<User>
          label="Users"
          records={users.data}
          idAccessor="name"
          searchText={(u) => `${u.name} ${u.displayName ?? ""} ${u.role}`}
          empty={
            <Empty
              title="No users"
              description="Add the people who should sign in to Switchboard."
              action={addButton}
            />
          }
          columns={[
            {
              accessor: "name",
              title: "Username",
              sortable: true,
              render: (u) => (
                <Group gap={6} wrap="nowrap">
                  <Text size="sm" fw={500}>
                    {u.name}
                  </Text>
                  {u.name === me.user.name && (
                    <Badge size="xs" variant="outline">
                      you
                    </Badge>
                  )}
                </Group>
              ),
            },
            {
              accessor: "displayName",
              title: "Display name",
              sortable: true,
              render: (u) => u.displayName ?? "",
            },
            {
              accessor: "role",
              title: "Role",
              sortable: true,
              render: (u) => <RoleBadge role={u.role} />,
            },
            {
              accessor: "hasPassword",
              title: "Password",
              sortable: true,
              render: (u) =>
                u.hasPassword ? (
                  <Text size="sm">set</Text>
                ) : (
                  <Text size="sm" c="dimmed">
                    setup link pending
                  </Text>
                ),
            },
            {
              accessor: "createdAt",
              title: "Added",
              sortable: true,
              render: (u) => <When exact iso={u.createdAt} />,
            },
            ...(isAdmin
              ? [
                  {
                    accessor: "actions",
                    title: <VisuallyHidden>Actions</VisuallyHidden>,
                    textAlign: "right" as const,
                    render: (u: User) => (
                      <Group gap={4} justify="flex-end" wrap="nowrap">
                        <Tooltip label={`Edit ${u.name}`}>
                          <ActionIcon
                            variant="subtle"
                            aria-label={`Edit ${u.name}`}
                            onClick={() => edit.open(u.name)}
                          >
                            <IconPencil size={16} />
                          </ActionIcon>
                        </Tooltip>
                        <Tooltip label={`Remove ${u.name}`}>
                          <ActionIcon
                            variant="subtle"
                            color="red"
                            aria-label={`Remove ${u.name}`}
                            onClick={() => setRemoving(u)}
                          >
                            <IconTrash size={16} />
                          </ActionIcon>
                        </Tooltip>
                      </Group>
                    ),
                  },
                ]
              : []),
          ]}
        />
      )}
      <AddUserModal opened={isAdmin && add.value !== null} onClose={add.close} />
      {isAdmin && edit.value !== null && users.data !== undefined && (
        <EditUserModal
          key={edit.value}
          user={users.data.find((u) => u.name === edit.value)}
          onClose={edit.close}
        />
      )}
      <ConfirmModal
        opened={removing !== null}
        title={`Remove ${removing?.name ?? ""}?`}
        confirmLabel="Remove user"
        onClose={() => setRemoving(null)}
        onConfirm={async () => {
          if (removing === null) return;
          await removeUser.mutateAsync(removing.name);
          notifications.show({ message: `User ${removing.name} removed`, color: "teal" });
        }}
      >
        {removing?.name} can no longer sign in: their sessions and API tokens stop working and they
        leave every team. This cannot be undone.
      </ConfirmModal>
    </>
  );
}
