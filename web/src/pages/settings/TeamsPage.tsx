import {
  ActionIcon,
  Badge,
  Button,
  Drawer,
  Group,
  Modal,
  MultiSelect,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Tooltip,
  VisuallyHidden,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconPlus, IconTrash, IconUserMinus, IconUsers } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import {
  teamQuery,
  teamsQuery,
  useCreateTeam,
  useDeleteTeam,
  useSetTeamMember,
  usersQuery,
  type Team,
} from "../../api/settings";
import { useAuth } from "../../app/auth";
import { ListTable } from "../../components/ListTable";
import { Empty, ErrorAlert, PageHeader } from "../../components/page";
import { AdminOnlyNote } from "../../components/notes";
import { ConfirmModal } from "../../components/ConfirmModal";
import { fieldError, otherError } from "../../components/field-errors";
import { useDialogParam } from "../../components/dialog-param";
import { When } from "../../components/time";

function CreateTeamModal(props: { opened: boolean; onClose: () => void }) {
  const createTeam = useCreateTeam();
  const users = useQuery(usersQuery);
  const [name, setName] = useState("");
  const [members, setMembers] = useState<string[]>([]);
  const error = createTeam.error;
  const close = () => {
    setName("");
    setMembers([]);
    createTeam.reset();
    props.onClose();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    createTeam.mutate(
      { name: name.trim(), members },
      {
        onSuccess: (team) => {
          notifications.show({ message: `Team ${team.name} created`, color: "teal" });
          close();
        },
      },
    );
  };
  return (
    <Modal opened={props.opened} onClose={close} title="Create a team">
      <form onSubmit={submit}>
        <Stack>
          {otherError(error, ["name", "members"]) !== null && <ErrorAlert error={error} />}
          <TextInput
            label="Team name"
            description="Lower-case letters, digits, '.', '_' or '-'; grants name it as team:<name>"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={fieldError(error, "name")}
            required
            data-autofocus
            autoComplete="off"
          />
          <MultiSelect
            label="Members"
            placeholder={members.length === 0 ? "Pick users" : undefined}
            data={(users.data ?? []).map((u) => ({
              value: u.name,
              label: u.displayName === null ? u.name : `${u.name} (${u.displayName})`,
            }))}
            value={members}
            onChange={setMembers}
            searchable
            error={fieldError(error, "members")}
            nothingFoundMessage="No such user"
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={createTeam.isPending}>
              Create team
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** A team's members, with add and remove for admins: /settings/teams?team=<name>. */
function TeamDrawer(props: { name: string; onClose: () => void }) {
  const { isAdmin } = useAuth();
  const users = useQuery(usersQuery);
  const team = useQuery(teamQuery(props.name));
  const setMember = useSetTeamMember(props.name);
  const [adding, setAdding] = useState<string | null>(null);
  const error = setMember.error;
  // The user whose membership is being changed, for the spinner on that user's button.
  const busy = setMember.isPending ? setMember.variables.user : null;

  const change = (user: string, member: boolean) =>
    setMember.mutate(
      { user, member },
      {
        onSuccess: () => {
          if (member) setAdding(null);
          notifications.show({
            message: member
              ? `${user} added to team ${props.name}`
              : `${user} removed from team ${props.name}`,
            color: "teal",
          });
        },
      },
    );

  const members = team.data?.members ?? [];
  const candidates = (users.data ?? [])
    .filter((u) => !members.includes(u.name))
    .map((u) => ({
      value: u.name,
      label: u.displayName === null ? u.name : `${u.name} (${u.displayName})`,
    }));

  return (
    <Drawer opened onClose={props.onClose} position="right" size="md" title={`Team ${props.name}`}>
      <Stack>
        {team.error !== null && <ErrorAlert error={team.error} />}
        {error !== null && <ErrorAlert error={error} />}
        <Text size="sm" c="dimmed">
          Grants to team:{props.name} apply to every member.
        </Text>
        {isAdmin && (
          <Group align="flex-end" wrap="nowrap">
            <Select
              label="Add a member"
              placeholder="Pick a user"
              data={candidates}
              value={adding}
              onChange={setAdding}
              searchable
              nothingFoundMessage="Every user is a member already"
              style={{ flex: 1 }}
            />
            <Button
              leftSection={<IconPlus size={16} />}
              disabled={adding === null}
              loading={busy !== null && busy === adding}
              onClick={() => adding !== null && change(adding, true)}
            >
              Add
            </Button>
          </Group>
        )}
        {team.data !== undefined && members.length === 0 ? (
          <Empty
            title="No members yet"
            description={
              isAdmin
                ? "Pick a user above to add them to the team."
                : "An admin adds users to the team."
            }
          />
        ) : (
          <Table aria-label={`Members of ${props.name}`} striped withTableBorder>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Member</Table.Th>
                {isAdmin && (
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                )}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {members.map((m) => (
                <Table.Tr key={m}>
                  <Table.Td>{m}</Table.Td>
                  {isAdmin && (
                    <Table.Td style={{ textAlign: "right" }}>
                      <Tooltip label={`Remove ${m} from ${props.name}`}>
                        <ActionIcon
                          variant="subtle"
                          color="red"
                          aria-label={`Remove ${m} from ${props.name}`}
                          loading={busy === m}
                          onClick={() => change(m, false)}
                        >
                          <IconUserMinus size={16} />
                        </ActionIcon>
                      </Tooltip>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Drawer>
  );
}

export function TeamsPage() {
  const { isAdmin } = useAuth();
  const teams = useQuery(teamsQuery);
  const deleteTeam = useDeleteTeam();
  const create = useDialogParam("new");
  const open = useDialogParam("team");
  const [deleting, setDeleting] = useState<Team | null>(null);

  const createButton = isAdmin ? (
    <Button leftSection={<IconPlus size={16} />} onClick={() => create.open()}>
      Create team
    </Button>
  ) : undefined;

  return (
    <>
      <PageHeader
        title="Teams"
        description="Named groups of users. Grant a team a role on a connection (team:<name>) instead of granting each person."
        actions={createButton}
      />
      {!isAdmin && <AdminOnlyNote what="create, change or delete teams" />}
      {teams.error !== null ? (
        <ErrorAlert error={teams.error} onRetry={() => void teams.refetch()} />
      ) : (
        <ListTable<Team>
          label="Teams"
          records={teams.data}
          idAccessor="name"
          searchText={(t) => `${t.name} ${t.members.join(" ")}`}
          onRowClick={(t) => open.open(t.name)}
          empty={
            <Empty
              icon={<IconUsers size={32} />}
              title="No teams yet"
              description={
                isAdmin
                  ? "Create a team, add its members, then grant the team roles on connections."
                  : "An admin creates teams; grants to a team apply to all its members."
              }
              action={createButton}
            />
          }
          columns={[
            {
              accessor: "name",
              title: "Team",
              sortable: true,
              render: (t) => (
                <Button
                  variant="subtle"
                  size="compact-sm"
                  onClick={(e) => {
                    e.stopPropagation();
                    open.open(t.name);
                  }}
                >
                  {t.name}
                </Button>
              ),
            },
            {
              accessor: "members",
              title: "Members",
              render: (t) =>
                t.members.length === 0 ? (
                  <Text size="sm" c="dimmed">
                    none
                  </Text>
                ) : (
                  <Group gap={4}>
                    {t.members.slice(0, 8).map((m) => (
                      <Badge key={m} variant="light" color="gray" size="sm" tt="none">
                        {m}
                      </Badge>
                    ))}
                    {t.members.length > 8 && (
                      <Text size="xs" c="dimmed">
                        +{t.members.length - 8} more
                      </Text>
                    )}
                  </Group>
                ),
            },
            {
              accessor: "createdAt",
              title: "Created",
              sortable: true,
              render: (t) => <When exact iso={t.createdAt} />,
            },
            ...(isAdmin
              ? [
                  {
                    accessor: "actions",
                    title: <VisuallyHidden>Actions</VisuallyHidden>,
                    textAlign: "right" as const,
                    render: (t: Team) => (
                      <Tooltip label={`Delete team ${t.name}`}>
                        <ActionIcon
                          variant="subtle"
                          color="red"
                          aria-label={`Delete team ${t.name}`}
                          onClick={(e) => {
                            e.stopPropagation();
                            setDeleting(t);
                          }}
                        >
                          <IconTrash size={16} />
                        </ActionIcon>
                      </Tooltip>
                    ),
                  },
                ]
              : []),
          ]}
        />
      )}
      <CreateTeamModal opened={isAdmin && create.value !== null} onClose={create.close} />
      {open.value !== null && <TeamDrawer name={open.value} onClose={open.close} />}
      <ConfirmModal
        opened={deleting !== null}
        title={`Delete team ${deleting?.name ?? ""}?`}
        confirmLabel="Delete team"
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          if (deleting === null) return;
          await deleteTeam.mutateAsync(deleting.name);
          notifications.show({ message: `Team ${deleting.name} deleted`, color: "teal" });
        }}
      >
        Its members stay users, but lose whatever grants to team:{deleting?.name} gave them.
      </ConfirmModal>
    </>
  );
}
