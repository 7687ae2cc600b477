import {
  ActionIcon,
  Alert,
  Button,
  Checkbox,
  Group,
  Modal,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Tooltip,
  VisuallyHidden,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconTrash } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";
import { useNavigate, useOutletContext } from "react-router";
import { useAuth } from "../../app/auth";
import { ErrorAlert, Loading } from "../../components/page";
import { principalLabel, ROLES } from "./format";
import {
  grantsQuery,
  useRemoveConnection,
  useRequestEditAccess,
  useRotateExternalId,
  useSetGrants,
  type Connection,
  type GrantRole,
} from "../../api/connections";
import { teamsQuery, usersQuery } from "../../api/settings";

const ROLE_ORDER: GrantRole[] = ["viewer", "editor", "executor"];

/** The dialogs are routes under the connection's page: closing one goes back to it. */
function useDialog() {
  const connection = useOutletContext<Connection>();
  const navigate = useNavigate();
  return {
    connection,
    close: () => void navigate(`/connections/${connection.name}`),
  };
}

/** /connections/:name/permissions: who may view, edit or run actions with it. */
export function PermissionsDialog() {
  const { connection, close } = useDialog();
  const { me } = useAuth();
  const grants = useQuery(grantsQuery(connection.name));
  const users = useQuery(usersQuery);
  const teams = useQuery(teamsQuery);
  const setGrants = useSetGrants(connection.name);
  const [rows, setRows] = useState<Map<string, Set<GrantRole>> | null>(null);
  const [adding, setAdding] = useState<string | null>(null);
  const error = setGrants.error;
  const saving = setGrants.isPending;

  useEffect(() => {
    if (grants.data === undefined || rows !== null) return;
    const initial = new Map<string, Set<GrantRole>>();
    for (const g of grants.data)
      initial.set(g.principal, (initial.get(g.principal) ?? new Set()).add(g.role));
    setRows(initial);
  }, [grants.data, rows]);

  const toggle = (principal: string, role: GrantRole, on: boolean) =>
    setRows((current) => {
      const next = new Map(current ?? []);
      const roles = new Set(next.get(principal) ?? []);
      if (on) roles.add(role);
      else roles.delete(role);
      next.set(principal, roles);
      return next;
    });
  const remove = (principal: string) =>
    setRows((current) => {
      const next = new Map(current ?? []);
      next.delete(principal);
      return next;
    });
  const add = (principal: string | null) => {
    setAdding(null);
    if (principal === null) return;
    setRows((current) => {
      const next = new Map(current ?? []);
      if (!next.has(principal)) next.set(principal, new Set<GrantRole>(["viewer"]));
      return next;
    });
  };

  const taken = new Set(rows?.keys() ?? []);
  const options = [
    {
      group: "Organization",
      items: taken.has("org") ? [] : [{ value: "org", label: "Everyone in the org" }],
    },
    {
      group: "Teams",
      items: (teams.data ?? [])
        .filter((t) => !taken.has(`team:${t.name}`))
        .map((t) => ({ value: `team:${t.name}`, label: `Team ${t.name}` })),
    },
    {
      group: "Users",
      items: (users.data ?? [])
        .filter((u) => !taken.has(`user:${u.name}`))
        .map((u) => ({
          value: `user:${u.name}`,
          label: `User ${u.name}${u.displayName === null ? "" : ` (${u.displayName})`}`,
        })),
    },
  ].filter((g) => g.items.length > 0);

  const myPrincipal = `user:${me.user.name}`;
  const losesEdit =
    me.user.role !== "admin" &&
    rows !== null &&
    !(rows.get(myPrincipal)?.has("editor") ?? false) &&
    (grants.data ?? []).some((g) => g.principal === myPrincipal && g.role === "editor");

  const save = (event: FormEvent) => {
    event.preventDefault();
    if (rows === null) return;
    const body = [...rows].flatMap(([principal, roles]) =>
      ROLE_ORDER.filter((r) => roles.has(r)).map((role) => ({ principal, role })),
    );
    setGrants.mutate(body, {
      onSuccess: () => {
        notifications.show({ message: `Permissions of ${connection.name} saved`, color: "teal" });
        close();
      },
    });
  };

  return (
    <Modal opened onClose={close} title={`Set permissions: ${connection.name}`} size="lg">
      <form onSubmit={save}>
        <Stack>
          <Text size="sm" c="dimmed">
            Viewer {ROLES.viewer}; editor {ROLES.editor}; executor {ROLES.executor}. Org admins can
            always do everything.
          </Text>
          {(grants.error ?? users.error ?? teams.error) !== null && (
            <ErrorAlert error={grants.error ?? users.error ?? teams.error} />
          )}
          {error !== null && <ErrorAlert error={error} title="The permissions were not saved" />}
          {rows === null ? (
            <Loading label="Loading permissions" />
          ) : (
            <Table aria-label="Permissions" withTableBorder>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Who</Table.Th>
                  {ROLE_ORDER.map((r) => (
                    <Table.Th key={r}>{r}</Table.Th>
                  ))}
                  <Table.Th>
                    <VisuallyHidden>Remove</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.size === 0 && (
                  <Table.Tr>
                    <Table.Td colSpan={5}>
                      <Text size="sm" c="dimmed">
                        Nobody but org admins. Add a user, a team or the whole org below.
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                )}
                {[...rows].map(([principal, roles]) => (
                  <Table.Tr key={principal}>
                    <Table.Td>{principalLabel(principal)}</Table.Td>
                    {ROLE_ORDER.map((r) => (
                      <Table.Td key={r}>
                        <Checkbox
                          aria-label={`${r} for ${principalLabel(principal)}`}
                          checked={roles.has(r)}
                          onChange={(e) => toggle(principal, r, e.currentTarget.checked)}
                        />
                      </Table.Td>
                    ))}
                    <Table.Td>
                      <Tooltip label="Remove all of its roles">
                        <ActionIcon
                          variant="subtle"
                          color="red"
                          aria-label={`Remove ${principalLabel(principal)}`}
                          onClick={() => remove(principal)}
                        >
                          <IconTrash size={16} />
                        </ActionIcon>
                      </Tooltip>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
          <Select
            label="Add who"
            placeholder="A team, a user or everyone in the org"
            data={options}
            value={adding}
            onChange={add}
            searchable
            nothingFoundMessage="Nobody else to add"
          />
          {losesEdit && (
            <Alert color="yellow" variant="light">
              You are removing your own editor role: after saving you can no longer change this
              connection.
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={saving} disabled={rows === null}>
              Save permissions
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** /connections/:name/remove: removal after typing the name. */
export function RemoveDialog() {
  const { connection, close } = useDialog();
  const navigate = useNavigate();
  const removal = useRemoveConnection(connection.name);
  const [typed, setTyped] = useState("");
  const error = removal.error;
  const busy = removal.isPending;

  const remove = (event: FormEvent) => {
    event.preventDefault();
    if (typed !== connection.name) return;
    removal.mutate(undefined, {
      onSuccess: () => {
        notifications.show({ message: `Connection ${connection.name} removed`, color: "teal" });
        void navigate("/connections", { replace: true });
      },
    });
  };

  return (
    <Modal opened onClose={close} title={`Remove ${connection.name}?`}>
      <form onSubmit={remove}>
        <Stack>
          <Text size="sm">
            Actions and workflows that use <b>{connection.name}</b> will fail, and its permissions
            are deleted. Nothing changes in AWS: delete the role or key there yourself if it is no
            longer needed.
          </Text>
          {error !== null && <ErrorAlert error={error} title="It was not removed" />}
          <TextInput
            label={`Type ${connection.name} to confirm`}
            value={typed}
            onChange={(e) => setTyped(e.currentTarget.value)}
            autoComplete="off"
            data-autofocus
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" color="red" loading={busy} disabled={typed !== connection.name}>
              Remove connection
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/**
 * /connections/:name/rotate-external-id: a new ExternalId for an assume_role connection. The role
 * keeps trusting the old one until its trust policy is changed, so the dialog says so first.
 */
export function RotateExternalIdDialog() {
  const { connection, close } = useDialog();
  const rotation = useRotateExternalId(connection.name);
  const error = rotation.error;
  const busy = rotation.isPending;

  const rotate = () =>
    rotation.mutate(undefined, {
      onSuccess: (rotated) => {
        notifications.show({
          title: `New ExternalId for ${connection.name}`,
          message: `Now update the role's trust policy: ${rotated.warning}.`,
          color: "yellow",
          autoClose: false,
        });
        close();
      },
    });

  return (
    <Modal opened onClose={close} title={`Rotate the ExternalId of ${connection.name}?`}>
      <Stack>
        <Alert color="yellow" variant="light" title="The role's trust policy must follow">
          Switchboard will assume the role with a new ExternalId at once. Until the role&apos;s
          trust policy requires the new value (the Setup documents show it), this connection cannot
          assume its role, and actions with it fail. Other connections keep theirs.
        </Alert>
        <Text size="sm">
          Rotate when the current value may be known to someone who should not have it: it is not a
          secret, but a new one makes sure only this connection is trusted.
        </Text>
        {error !== null && <ErrorAlert error={error} title="It was not rotated" />}
        <Group justify="flex-end">
          <Button variant="default" onClick={close} data-autofocus>
            Cancel
          </Button>
          <Button color="red" loading={busy} onClick={rotate}>
            Rotate ExternalId
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** /connections/:name/request-access: a viewer asks the admins for edit access. */
export function RequestAccessDialog() {
  const { connection, close } = useDialog();
  const request = useRequestEditAccess(connection.name);
  const [reason, setReason] = useState("");
  const error = request.error;
  const busy = request.isPending;
  const tooShort = reason.trim().length < 3;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    request.mutate(reason.trim(), {
      onSuccess: () => {
        notifications.show({
          message: `Edit access to ${connection.name} requested: an admin will decide`,
          color: "teal",
        });
        close();
      },
    });
  };

  return (
    <Modal opened onClose={close} title={`Request edit access to ${connection.name}`}>
      <form onSubmit={submit}>
        <Stack>
          <Text size="sm" c="dimmed">
            Editors change its settings and permissions. An org admin sees your request and grants
            or declines it.
          </Text>
          {connection.myRoles.includes("editor") ? (
            <Alert color="teal" variant="light">
              You can already edit {connection.name}.
            </Alert>
          ) : (
            <>
              {error !== null && <ErrorAlert error={error} title="The request was not sent" />}
              <Textarea
                label="Reason"
                description="Say why, in a few words: the admin reads it"
                value={reason}
                onChange={(e) => setReason(e.currentTarget.value)}
                required
                autosize
                minRows={3}
                maxLength={1000}
                data-autofocus
              />
            </>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            {!connection.myRoles.includes("editor") && (
              <Button type="submit" loading={busy} disabled={tooShort}>
                Send request
              </Button>
            )}
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
