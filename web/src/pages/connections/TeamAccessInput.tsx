import {
  ActionIcon,
  Anchor,
  Checkbox,
  Group,
  Input,
  Select,
  Stack,
  Table,
  Text,
  VisuallyHidden,
} from "@mantine/core";
import { IconTrash } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import type { GrantRole } from "../../api/connections";
import { teamsQuery } from "../../api/settings";
import { ErrorAlert } from "../../components/page";
import type { TeamAccess } from "./connection-form";
import { ROLES } from "./format";

const ROLE_ORDER: GrantRole[] = ["viewer", "editor", "executor"];

/**
 * Which teams may view, edit or run actions with a connection being added, saved with it in
 * one step (as Cloudcraft sets a team's access while adding an account). The creator is always
 * its editor and executor; users and the whole org are set on the connection's page later.
 */
export function TeamAccessInput(props: {
  id: string;
  value: TeamAccess[];
  onChange: (rows: TeamAccess[]) => void;
  error?: string | undefined;
}) {
  const teams = useQuery(teamsQuery);
  const rows = props.value;
  const chosen = new Set(rows.map((r) => r.team));
  const options = (teams.data ?? []).map((t) => t.name).filter((name) => !chosen.has(name));
  const setRoles = (team: string, role: GrantRole, on: boolean) =>
    props.onChange(
      rows.map((r) =>
        r.team !== team
          ? r
          : {
              ...r,
              roles: ROLE_ORDER.filter((x) => (x === role ? on : r.roles.includes(x))),
            },
      ),
    );
  return (
    <Input.Wrapper
      id={props.id}
      label="Team access"
      description={`Optional. Viewer ${ROLES.viewer}; editor ${ROLES.editor}; executor ${ROLES.executor}. You are its editor and executor; org admins can do everything.`}
      error={props.error}
    >
      <Stack gap="xs" mt={6}>
        {teams.error !== null && <ErrorAlert error={teams.error} title="Teams not loaded" />}
        {rows.length > 0 && (
          <Table aria-label="Team access" withTableBorder>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Team</Table.Th>
                {ROLE_ORDER.map((r) => (
                  <Table.Th key={r}>{r}</Table.Th>
                ))}
                <Table.Th>
                  <VisuallyHidden>Remove</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((row) => (
                <Table.Tr key={row.team}>
                  <Table.Td>{row.team}</Table.Td>
                  {ROLE_ORDER.map((r) => (
                    <Table.Td key={r}>
                      <Checkbox
                        aria-label={`${r} for team ${row.team}`}
                        checked={row.roles.includes(r)}
                        onChange={(e) => setRoles(row.team, r, e.currentTarget.checked)}
                      />
                    </Table.Td>
                  ))}
                  <Table.Td>
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      aria-label={`Remove team ${row.team}`}
                      onClick={() => props.onChange(rows.filter((r) => r.team !== row.team))}
                    >
                      <IconTrash size={16} />
                    </ActionIcon>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {teams.data !== undefined && teams.data.length === 0 ? (
          <Text size="sm" c="dimmed">
            The org has no team yet.{" "}
            <Anchor component={Link} to="/settings/teams" size="sm" underline="always">
              Teams
            </Anchor>
          </Text>
        ) : (
          <Group>
            <Select
              aria-label="Add a team"
              placeholder="Add a team"
              data={options}
              value={null}
              onChange={(team) => {
                if (team !== null) props.onChange([...rows, { team, roles: ["executor"] }]);
              }}
              searchable
              nothingFoundMessage="No other team"
            />
          </Group>
        )}
      </Stack>
    </Input.Wrapper>
  );
}
